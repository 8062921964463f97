using System.CommandLine;
using Nerve.Server;

namespace Nerve.Cli;

/// <summary>`nerve serve`: maps options to <see cref="ServeOptions"/> and runs <see cref="NerveServer"/> until SIGTERM or Ctrl+C.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model file written by nerve train.", Required = true };
        var host = new Option<string>("--host") { Description = "Address to bind: loopback by default; 0.0.0.0 or :: for every interface.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "TCP port (0: any free port; the address is printed).", DefaultValueFactory = _ => 8080 };
        var maxChars = new Option<int>("--max-chars") { Description = "Most characters per request, over all its texts (413 beyond).", DefaultValueFactory = _ => 1_000_000 };
        var maxConcurrency = new Option<int>("--max-concurrency") { Description = "Requests to /v1/entities handled at once; more are refused with 429.", DefaultValueFactory = _ => 64 };
        var timeout = new Option<double>("--timeout") { Description = "Seconds a request to /v1/entities may take before it is answered 504.", DefaultValueFactory = _ => 30 };
        var noVerify = Cli.NoVerify();
        var cmd = new Command("serve", "Serve a model over HTTP: POST /v1/entities, GET / (a page), /livez, /readyz, /metrics, /openapi/v1.json.")
        {
            model, host, port, maxChars, maxConcurrency, timeout, noVerify,
        };
        cmd.SetAction(r => Cli.Guard(() =>
        {
            var options = new ServeOptions
            {
                ModelPath = r.GetValue(model)!,
                Host = r.GetValue(host)!,
                Port = r.GetValue(port),
                MaxChars = r.GetValue(maxChars),
                MaxConcurrency = r.GetValue(maxConcurrency),
                Timeout = ServeOptions.TimeoutFromSeconds(r.GetValue(timeout)),
                NoVerify = r.GetValue(noVerify),
            };
            options.Validate();
            IO.InputFile.Check(options.ModelPath, "model file");
            NerveServer.RunAsync(options, line => Console.Error.WriteLine("nerve serve: " + line)).GetAwaiter().GetResult();
            return 0;
        }));
        return cmd;
    }
}
