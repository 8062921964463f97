using System.Numerics.Tensors;
using Nerve.Features;
using Nerve.Model;
using Nerve.Numerics;

namespace Nerve.Training;

/// <summary>
/// The steps that compute a gradient and then apply it: forward, backward (with dropout) on fixed slices of the
/// batch, one worker a slice on the team of <see cref="IntraOp"/>; the workers' gradients summed in worker order
/// (deterministic for a given count), clipped, and handed to the optimizer with the sparse embedding rows.
/// </summary>
internal abstract class GradientStep : ITrainStep, IPart
{
    private protected readonly StepSetup Setup;
    private protected readonly WindowModel<float> Net;
    private protected readonly TrainOptions O;
    private protected readonly bool[] TrainTable;
    private protected readonly Worker[] Workers;
    private protected readonly bool Dropout;
    private readonly Optimizer<float> _optimizer;
    // The current call, for the team's parts.
    private int[] _order = [];
    private int _offset, _batch, _per, _epoch;

    /// <param name="capacity">Windows one worker handles in one call: the batch, or the longest sentence.</param>
    /// <param name="first">Worker 0's engine (the factory's probe), the others made alike.</param>
    private protected GradientStep(StepSetup s, int units, int capacity, int width, IBackprop<float> first)
    {
        Setup = s;
        Net = s.Net;
        O = s.Options;
        TrainTable = s.TrainTable;
        _optimizer = s.Optimizer;
        Dropout = O.InputDropout > 0 || O.HiddenDropout > 0;
        int workers = Math.Max(1, Math.Min(O.Threads, units));
        Workers = new Worker[workers];
        for (int t = 0; t < workers; t++) Workers[t] = new Worker(t == 0 ? first : s.Engine(Net, capacity), Net, capacity, width);
        Workers[0].Gradients = Net.Parameters.Gradients; // worker 0 accumulates in place; the others are reduced into it
    }

    public abstract string Description { get; }

    public int Threads => Workers.Length;

    public abstract int Stride { get; }

    public bool Chunked => false;

    public abstract double Run(int[] order, int offset, int count, float learningRate, int epoch);

    /// <summary>
    /// Loss and gradient of the units order[offset … offset + n − 1] on worker <paramref name="w"/>, for J scaled by
    /// 1/<paramref name="batch"/>; λ is added by the <paramref name="first"/> slice only.
    /// </summary>
    private protected abstract double Slice(Worker w, int[] order, int offset, int n, int batch, bool first, int epoch);

    /// <summary>
    /// One update on the units order[offset … offset + b − 1]: worker t takes the t-th slice on the team of
    /// <see cref="IntraOp"/> (each slice's kernels run unsplit), then the gradients are summed in worker order.
    /// </summary>
    private protected double RunOnTeam(int[] order, int offset, int b, float lr, int epoch)
    {
        int used = Math.Min(Workers.Length, b);
        (_order, _offset, _batch, _per, _epoch) = (order, offset, b, (b + used - 1) / used, epoch);
        try
        {
            IntraOp.TeamOf(used).Run(this, used);
        }
        finally
        {
            _order = [];
        }
        return Finish(used, lr, 0);
    }

    void IPart.Run(int part, int parts)
    {
        int a = part * _per, n = Math.Min(_per, _batch - a);
        Workers[part].Loss = n <= 0 ? 0 : Slice(Workers[part], _order, _offset + a, n, _batch, part == 0, _epoch);
    }

    /// <summary>Dropout masks are a function of (seed, epoch, first unit), so a step is reproducible on any thread.</summary>
    private protected ulong StepSeed(int epoch, int unit) => Model.Dropout.Mix(((ulong)(uint)O.Seed << 40) ^ ((ulong)(uint)epoch << 28) ^ (uint)unit);

    /// <summary>Sums the workers' gradients into worker 0 in order, clips, and applies the optimizer; returns the batch loss.</summary>
    private protected double Finish(int used, float lr, double loss)
    {
        var workers = Workers;
        var g0 = workers[0].Gradients;
        if (used > 1) loss = workers[0].Loss;
        for (int t = 1; t < used; t++)
        {
            loss += workers[t].Loss;
            Net.Parameters.MoveGradients(workers[t].Gradients, workers[t].Touched, g0, workers[0].Touched, Net.Tables);
        }
        Clip(workers[0]);
        _optimizer.Step(g0, workers[0].Touched, Net.Tables, TrainTable, lr);
        return loss;
    }

    /// <summary>Rescales the gradient (dense blocks and touched rows) to norm ≤ ClipNorm.</summary>
    private void Clip(Worker w)
    {
        if (O.ClipNorm <= 0) return;
        var g = w.Gradients;
        var blocks = Net.Parameters.Blocks;
        var tables = Net.Tables;
        double sq = 0;
        for (int i = 0; i < blocks.Count; i++)
            if (blocks[i].Kind != ParameterKind.Embedding) sq += TensorPrimitives.SumOfSquares<float>(g.AsSpan(blocks[i].Offset, blocks[i].Length));
        for (int k = 0; k < tables.Length; k++)
            foreach (int row in w.Touched[k].Rows)
                sq += TensorPrimitives.SumOfSquares<float>(g.AsSpan(tables[k].Table.Offset + row * tables[k].Table.Cols, tables[k].Table.Cols));
        double norm = Math.Sqrt(sq);
        if (norm <= O.ClipNorm) return;
        float f = (float)(O.ClipNorm / norm);
        for (int i = 0; i < blocks.Count; i++)
            if (blocks[i].Kind != ParameterKind.Embedding) TensorPrimitives.Multiply(g.AsSpan(blocks[i].Offset, blocks[i].Length), f, g.AsSpan(blocks[i].Offset, blocks[i].Length));
        for (int k = 0; k < tables.Length; k++)
            foreach (int row in w.Touched[k].Rows)
            {
                var r = g.AsSpan(tables[k].Table.Offset + row * tables[k].Table.Cols, tables[k].Table.Cols);
                TensorPrimitives.Multiply(r, f, r);
            }
    }

    /// <summary>One thread's engine and buffers.</summary>
    private protected sealed class Worker(IBackprop<float> engine, WindowModel<float> net, int capacity, int width)
    {
        public IBackprop<float> Engine { get; } = engine;
        public int[] Ids { get; } = new int[capacity * width];
        public int[] Labels { get; } = new int[capacity];
        public float[] Gradients { get; set; } = new float[net.Parameters.Count];
        public RowSet[] Touched { get; } = net.Config.Features.Select(f => new RowSet(f.Size)).ToArray();
        public double Loss { get; set; }
    }
}

/// <summary>
/// The minibatch step over windows: one batch per call, worker t taking the t-th slice on the team of
/// <see cref="IntraOp"/> (this thread and spinning helpers: a batch is a fraction of a millisecond, too short to hand
/// to the thread pool, whose workers sleep and wake between batches).
/// </summary>
internal sealed class MinibatchStep : GradientStep
{
    private readonly IWindowSource _source;
    private readonly string _why;

    public MinibatchStep(StepSetup s, IWindowSource source, IBackprop<float> first, string why)
        : base(s, s.Options.Batch, s.Options.Batch, source.WindowWidth, first)
    {
        _source = source;
        _why = why;
    }

    public override string Description =>
        $"step: minibatch of {TrainSteps.Plural(O.Batch, "window")}, data-parallel on {TrainSteps.Plural(Threads, "thread")} ({TrainSteps.Why(Setup)}; not the fused batch-1 SGD step: {_why})";

    public override int Stride => O.Batch;

    public override double Run(int[] order, int offset, int b, float lr, int epoch) =>
        Math.Min(Workers.Length, b) == 1 ? Finish(1, lr, Slice(Workers[0], order, offset, b, b, first: true, epoch)) : RunOnTeam(order, offset, b, lr, epoch);

    /// <summary>The windows of the slice in one engine call.</summary>
    private protected override double Slice(Worker w, int[] order, int offset, int n, int batch, bool first, int epoch)
    {
        _source.Gather(order.AsSpan(offset, n), w.Ids, w.Labels);
        if (Dropout) w.Engine.SetDropout(O.InputDropout, O.HiddenDropout, StepSeed(epoch, offset));
        return w.Engine.LossAndGradient(w.Ids, w.Labels.AsSpan(0, n), n, 1f / batch, first ? (float)O.L2 : 0f, w.Gradients, w.Touched, TrainTable);
    }
}

/// <summary>
/// The step over whole sentences, for a head whose loss couples a sentence's windows (the CRF): a batch of sentences
/// per call, one engine call per sentence, the sentences sliced over the workers on the team; a single worker splits
/// each sentence's kernels over the threads instead (<see cref="IntraOp.Use"/>).
/// </summary>
internal sealed class SentenceStep : GradientStep
{
    private readonly WindowSet _source;

    public SentenceStep(StepSetup s, WindowSet source, int longest, IBackprop<float> first)
        : base(s, s.Options.Batch, longest, source.WindowWidth, first)
    {
        _source = source;
    }

    public override string Description =>
        $"step: {Net.Head.Traits.Name} sentences, {TrainSteps.Plural(O.Batch, "sentence")} a batch on {TrainSteps.Plural(Threads, "thread")} " +
        $"({(Threads == 1 && O.Threads > 1 ? "each sentence's kernels split over the threads" : "data-parallel")}; the {Net.Head.Traits.Name} head's loss couples a sentence's windows)";

    public override int Stride => O.Batch;

    public override double Run(int[] order, int offset, int b, float lr, int epoch)
    {
        if (Math.Min(Workers.Length, b) > 1) return RunOnTeam(order, offset, b, lr, epoch); // each sentence's kernels run unsplit
        using var intraOp = IntraOp.Use(O.Threads); // one sentence at a time: its kernels split over the threads
        return Finish(1, lr, Slice(Workers[0], order, offset, b, b, first: true, epoch));
    }

    /// <summary>The sentences of the slice, one engine call per sentence; λ once, with the slice's first sentence.</summary>
    private protected override double Slice(Worker w, int[] order, int offset, int n, int batch, bool first, int epoch)
    {
        float scale = 1f / batch, l2 = first ? (float)O.L2 : 0f;
        double loss = 0;
        var starts = _source.SentenceStarts;
        for (int i = 0; i < n; i++)
        {
            int sentence = order[offset + i];
            int from = starts[sentence], len = starts[sentence + 1] - from;
            if (len == 0) continue;
            _source.GatherRange(from, len, w.Ids);
            _source.Labels.AsSpan(from, len).CopyTo(w.Labels);
            if (Dropout) w.Engine.SetDropout(O.InputDropout, O.HiddenDropout, StepSeed(epoch, offset + i));
            loss += w.Engine.LossAndGradient(w.Ids, w.Labels.AsSpan(0, len), len, scale, i == 0 ? l2 : 0f, w.Gradients, w.Touched, TrainTable);
        }
        return loss;
    }
}
