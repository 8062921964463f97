using System.CommandLine;

namespace Nerve.Cli;

/// <summary>The `nerve` command: argument parsing only; every command calls the library.</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        using var signals = Cli.RemoveTemporariesOnSignal();
        var root = new RootCommand("Nerve: a window-network named-entity recognizer (CS224N PA4, Collobert et al. 2011) with hand-derived gradients.")
        {
            TrainCommand.Create(),
            EvalCommand.Create(),
            TagCommand.Create(),
            CalibrateCommand.Create(),
            ConllevalCommand.Create(),
            GradcheckCommand.Create(),
            DemoCommand.Create(),
            GraphCommand.Create(),
            EmbedCommand.Create(),
            BenchCommand.Create(),
            ReportCommand.Create(),
            TsneCommand.Create(),
            SweepCommand.Create(),
            ServeCommand.Create(),
        };
        return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }
}
