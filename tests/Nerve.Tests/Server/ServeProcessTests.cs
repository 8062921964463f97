using System.Diagnostics;
using System.Net;
using Nerve.Tagging;

namespace Nerve.Tests.Server;

/// <summary>`nerve serve` as a user runs it: a real process on an ephemeral port, stopped with SIGTERM.</summary>
[Trait("Category", "Acceptance")]
public sealed class ServeProcessTests
{
    private const string Lamb = "EU rejects German call to boycott British lamb.";

    [Fact]
    public async Task Sigterm_lets_the_request_in_flight_finish_then_exits_zero()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "Nerve.Cli.dll"), "serve", "--model", SmallModel.Path, "--port", "0" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        try
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            string? address = null;
            var err = new List<string>();
            while (p.StandardError.ReadLine() is { } line)
            {
                err.Add(line);
                if (line.StartsWith("nerve serve: listening on ", StringComparison.Ordinal)) address = line["nerve serve: listening on ".Length..];
                if (line == "nerve serve: model loaded: ready") break;
            }
            Assert.True(address is not null, string.Join("\n", err));
            using var client = new HttpClient { BaseAddress = new Uri(address!), Timeout = TimeSpan.FromMinutes(2) };
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);

            var stalled = new StalledContent("EU rejects German call ", "to boycott British lamb.", "text/plain").Typed();
            var inFlight = client.PostAsync(new Uri("/v1/entities", UriKind.Relative), stalled);
            for (int i = 0; i < 3000 && !(await client.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Contains("nerve_entities_in_flight 1\n", StringComparison.Ordinal); i++)
                await Task.Delay(10);

            using (var kill = Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
            Assert.False(p.WaitForExit(300), "the server exited with a request in flight");
            stalled.Release();
            using var r = await inFlight;
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(DocumentText.Format(SmallModel.Model.Recognize(Lamb), TagOutputFormat.Jsonl).TrimEnd('\n'), await r.Content.ReadAsStringAsync());
            Assert.True(p.WaitForExit(60_000), "the server did not exit after SIGTERM");
            string rest = await p.StandardError.ReadToEndAsync();
            Assert.True(p.ExitCode == 0, string.Join("\n", err) + rest);
            Assert.Equal("", await stdout);
        }
        finally
        {
            if (!p.HasExited) p.Kill();
        }
    }

    [Fact]
    public void A_missing_model_is_one_line_and_exit_code_1()
    {
        var (code, _, err) = NerveProcess.Run(null, "serve", "--model", "/nonexistent/model.nerve", "--port", "0");
        Assert.Equal(1, code);
        Assert.StartsWith("nerve: ", err, StringComparison.Ordinal);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
    }
}
