using Nerve.Features;
using Nerve.Model;

namespace Nerve.Training;

/// <summary>
/// One training strategy: how the updates on a run of shuffled units (windows, or sentences for the CRF) are computed
/// and applied. Chosen once by <see cref="TrainSteps.Create"/>; used by <see cref="Trainer"/> and by <see cref="Bench"/>,
/// so the benchmark times the trainer's own steps.
/// </summary>
internal interface ITrainStep
{
    /// <summary>One line saying which step runs, on how many threads, and why.</summary>
    string Description { get; }

    /// <summary>Threads the step runs on.</summary>
    int Threads { get; }

    /// <summary>
    /// Units one <see cref="Run"/> call takes: one batch, or a chunk of many batch-1 updates (fixed, so a resumed run
    /// cuts the epoch where an uninterrupted one does; cancellation, checkpoints and progress wait for a call's end).
    /// </summary>
    int Stride { get; }

    /// <summary>Whether a call runs a chunk of many updates rather than one.</summary>
    bool Chunked { get; }

    /// <summary>The updates on the units order[offset … offset + count − 1], count ≤ <see cref="Stride"/>; returns their summed loss.</summary>
    double Run(int[] order, int offset, int count, float learningRate, int epoch);
}

/// <summary>What every step is built from: the model, its optimizer, which tables train, the options and the gradient engine.</summary>
internal sealed record StepSetup(WindowModel<float> Net, Optimizer<float> Optimizer, bool[] TrainTable, TrainOptions Options, Func<WindowModel<float>, int, IBackprop<float>> Engine);

/// <summary>Chooses the training step for a model and options, once.</summary>
internal static class TrainSteps
{
    /// <summary>
    /// The step for <paramref name="s"/>: sentences for a sentence head (the CRF); Hogwild when asked; for batch-1
    /// plain SGD with a per-window head and the hand-derived engine the fused per-window step, pipelined over the hidden
    /// units for one hidden layer; else the data-parallel minibatch. A sentence head reads its units from <paramref name="sentences"/>.
    /// </summary>
    public static ITrainStep Create(StepSetup s, IWindowSource windows, WindowSet? sentences = null)
    {
        var o = s.Options;
        var net = s.Net;
        var head = net.Head.Traits;
        if (head.SentenceUnits)
        {
            var set = sentences ?? throw new ArgumentException($"the {head.Name} head trains on sentences: give the window set", nameof(sentences));
            int longest = 1;
            for (int i = 0; i + 1 < set.SentenceStarts.Length; i++) longest = Math.Max(longest, set.SentenceStarts[i + 1] - set.SentenceStarts[i]);
            var first = s.Engine(net, longest);
            o.Validate(net.Config.Output, first.Fusable);
            return new SentenceStep(s, set, longest, first);
        }
        var engine = s.Engine(net, o.Batch);
        if (o.Hogwild && net.CharCnn is not null)
            throw new NerveException("--hogwild runs the fused per-window SGD step, which has no character convolution: drop --hogwild or --char-cnn");
        if (o.Hogwild)
        {
            o.Validate(net.Config.Output, engine.Fusable);
            return new HogwildStep(s, windows);
        }
        string? obstacle = o.FusedSgdObstacle() ?? (s.Optimizer.Kind != OptimizerKind.Sgd ? "--optimizer " + s.Optimizer.Kind.ToString().ToLowerInvariant()
            : !engine.Fusable ? "the graph engine" : net.CharCnn is not null ? "--char-cnn (the fused steps have no character convolution)" : null);
        if (obstacle is null && net.Depth == 1) return new PipelinedSgdStep(s, windows);
        if (obstacle is null) return new FusedSgdStep(s, windows);
        return new MinibatchStep(s, windows, engine, obstacle);
    }

    /// <summary>"softmax head, plain SGD" and the like, for the descriptions.</summary>
    internal static string Why(StepSetup s) => $"{s.Net.Head.Traits.Name} head, {(s.Optimizer.Kind == OptimizerKind.Sgd ? "plain SGD" : s.Optimizer.Kind.ToString().ToLowerInvariant())}";

    internal static string Layers(int depth) => depth == 1 ? "one hidden layer" : $"{depth} hidden layers";

    internal static string Plural(int n, string unit) => n == 1 ? $"1 {unit}" : $"{n} {unit}s";
}
