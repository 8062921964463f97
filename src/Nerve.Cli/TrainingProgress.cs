using Nerve.Training;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Nerve.Cli;

/// <summary>Shows training progress: a Spectre.Console bar with tokens/s on a terminal, and one line per epoch always.</summary>
internal sealed class TrainingProgress : ITrainingObserver
{
    private readonly ProgressContext? _ctx;
    private ProgressTask? _task;

    private TrainingProgress(ProgressContext? ctx) => _ctx = ctx;

    /// <summary>Runs <paramref name="body"/> with an observer; the live bar only when stdout is an interactive terminal.</summary>
    public static T Run<T>(Func<ITrainingObserver, T> body)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
            return body(new TrainingProgress(null));
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TokensPerSecondColumn(), new RemainingTimeColumn())
            .Start(ctx => result = body(new TrainingProgress(ctx)));
        return result;
    }

    public void EpochStarted(int epoch, int windows)
    {
        _task = _ctx?.AddTask($"epoch {epoch}", maxValue: windows);
    }

    public void Progress(int windowsDone)
    {
        if (_task is not null) _task.Value = windowsDone;
    }

    public void EpochFinished(EpochReport r)
    {
        _task?.StopTask();
        string dev = r.DevF1 is { } d ? Cli.F(d) : "-";
        string line = $"epoch {r.Epoch,3}  loss {Cli.F(r.Loss, "F4")}  train F1 {Cli.F(r.TrainF1)}  dev F1 {dev}  {Cli.F(r.TokensPerSecond / 1000, "F1")}k tokens/s  {Cli.F(r.Elapsed.TotalSeconds, "F1")} s{(r.Best ? "  *best" : "")}";
        if (_ctx is null) Console.WriteLine(line);
        else AnsiConsole.WriteLine(line);
    }

    private sealed class TokensPerSecondColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
            => new Spectre.Console.Text(task.Speed is { } s ? $"{Cli.F(s / 1000, "F1")}k tokens/s" : "");
    }
}
