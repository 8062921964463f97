using System.CommandLine;
using System.Diagnostics;
using Nerve.Jobs;

namespace Nerve.Cli;

/// <summary>`nerve sweep`: trainings around a base configuration, varying options, with results and a report (<see cref="SweepJob"/>).</summary>
internal static class SweepCommand
{
    public static Command Create()
    {
        var vary = new Option<string[]>("--vary") { Description = "An option and its values, e.g. lr=0.01,0.05 (repeatable; layers=1,2,3 repeats the first hidden size).", AllowMultipleArgumentsPerToken = false };
        var grid = new Option<bool>("--grid") { Description = "Train every combination of the values instead of one option at a time around the base." };
        var parallel = new Option<int>("--parallel") { Description = "Trainings at once, each on cores / N threads.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Folder for results.jsonl, results.csv, report.html and runs/ (rerun to resume).", Required = true };
        return TrainCommand.Create("sweep",
            "Train once per value of each --vary option around the base (--config and nerve train's options), or every combination with --grid; writes results and report.html.",
            [vary, grid, parallel, output], (r, file, flags) =>
            {
                var job = new SweepJobOptions
                {
                    Base = TrainCommand.Options(file, flags) with { ModelPath = "sweep" },
                    Vary = [.. (r.GetValue(vary) ?? []).Select(SweepAxis.Parse)],
                    Grid = r.GetValue(grid),
                    Parallel = r.GetValue(parallel),
                    OutDir = r.GetValue(output)!,
                };
                using var cancel = new CancellationTokenSource();
                ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
                Console.CancelKeyPress += onCancel;
                try
                {
                    var watch = Stopwatch.StartNew();
                    SweepJob.Run(job, ConsoleJobLog.Instance, cancel.Token);
                    if (cancel.IsCancellationRequested)
                    {
                        Console.Error.WriteLine("nerve: interrupted; run the same command again to resume");
                        return 130;
                    }
                    Console.WriteLine($"wrote {Path.Combine(job.OutDir, "report.html")} ({Cli.F(watch.Elapsed.TotalSeconds, "F1")} s)");
                    return 0;
                }
                finally
                {
                    Console.CancelKeyPress -= onCancel;
                }
            });
    }
}
