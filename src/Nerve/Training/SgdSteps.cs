using Nerve.Features;
using Nerve.Model;
using Nerve.Numerics;

namespace Nerve.Training;

/// <summary>
/// PA4's per-window SGD with the backward pass fused into the update (<see cref="WindowModel{T}.SgdStep"/>), one
/// window per call, on one thread: for batch-1 plain SGD of more than one hidden layer.
/// </summary>
internal sealed class FusedSgdStep(StepSetup s, IWindowSource source) : ITrainStep
{
    private readonly WindowModel<float>.Workspace _ws = s.Net.CreateWorkspace(1);
    private readonly int[] _ids = new int[source.WindowWidth];
    private readonly int[] _labels = new int[1];

    public string Description => $"step: fused batch-1 SGD on 1 thread ({TrainSteps.Layers(s.Net.Depth)}, {TrainSteps.Why(s)})";

    public int Threads => 1;

    public int Stride => 1;

    public bool Chunked => false;

    public double Run(int[] order, int offset, int count, float learningRate, int epoch)
    {
        double loss = 0;
        for (int i = 0; i < count; i++)
        {
            source.Gather(order.AsSpan(offset + i, 1), _ids, _labels);
            loss += s.Net.SgdStep(_ws, _ids, _labels, learningRate, s.TrainTable);
        }
        return loss;
    }
}

/// <summary>
/// Per-window SGD of one hidden layer as <see cref="SgdPipeline"/>: chunks of <see cref="Chunk"/> windows, each
/// window's pass over W split by hidden units over the threads (deterministic for a given count).
/// </summary>
internal sealed class PipelinedSgdStep : ITrainStep
{
    /// <summary>Windows a call takes.</summary>
    public const int Chunk = 1024;

    private readonly StepSetup _s;
    private readonly IWindowSource _source;
    private readonly SgdPipeline _pipeline;
    private readonly int[] _ids;
    private readonly int[] _labels = new int[Chunk];

    public PipelinedSgdStep(StepSetup s, IWindowSource source)
    {
        _s = s;
        _source = source;
        _pipeline = new SgdPipeline(s.Net, s.Options.Threads);
        _ids = new int[Chunk * source.WindowWidth];
    }

    public string Description => $"step: pipelined batch-1 SGD on {TrainSteps.Plural(Threads, "thread")} ({TrainSteps.Layers(_s.Net.Depth)}, {TrainSteps.Why(_s)})";

    public int Threads => _pipeline.Threads;

    public int Stride => Chunk;

    public bool Chunked => true;

    public double Run(int[] order, int offset, int count, float learningRate, int epoch)
    {
        if (count > Chunk) throw new ArgumentOutOfRangeException(nameof(count), $"at most {Chunk} windows a call");
        _source.Gather(order.AsSpan(offset, count), _ids, _labels);
        return _pipeline.Steps(_ids, _labels, count, learningRate, _s.TrainTable);
    }
}

/// <summary>
/// HOGWILD! (Recht et al. 2011): a chunk of windows in one contiguous slice per worker on the team of
/// <see cref="IntraOp"/>, each worker running fused batch-1 SGD steps that write the shared parameters without locks.
/// Workers race on W, U, the biases and common embedding rows, so only one worker is deterministic (and then equals
/// <see cref="FusedSgdStep"/> window by window).
/// </summary>
internal sealed class HogwildStep : ITrainStep, IPart
{
    private readonly StepSetup _s;
    private readonly IWindowSource _source;
    private readonly Slice[] _workers;
    // The current call, for the team's parts.
    private int[] _order = [];
    private int _offset, _count, _per;
    private float _lr;

    public HogwildStep(StepSetup s, IWindowSource source)
    {
        _s = s;
        _source = source;
        _workers = new Slice[Math.Max(1, s.Options.Threads)];
        for (int t = 0; t < _workers.Length; t++) _workers[t] = new Slice(s.Net.CreateWorkspace(1), new int[source.WindowWidth]);
    }

    public string Description => $"step: Hogwild batch-1 SGD on {TrainSteps.Plural(Threads, "thread")}, lock-free (--hogwild, {TrainSteps.Why(_s)})";

    public int Threads => _workers.Length;

    /// <summary>Each worker runs 1024 windows between synchronisations.</summary>
    public int Stride => 1024 * _workers.Length;

    public bool Chunked => true;

    public double Run(int[] order, int offset, int count, float learningRate, int epoch)
    {
        if (_workers.Length == 1) return Steps(_workers[0], order, offset, count, learningRate);
        (_order, _offset, _count, _per, _lr) = (order, offset, count, (count + _workers.Length - 1) / _workers.Length, learningRate);
        try
        {
            IntraOp.TeamOf(_workers.Length).Run(this, _workers.Length);
        }
        finally
        {
            _order = [];
        }
        double loss = 0;
        foreach (var w in _workers) loss += w.Loss;
        return loss;
    }

    void IPart.Run(int part, int parts)
    {
        int a = part * _per, n = Math.Min(_per, _count - a);
        _workers[part].Loss = n <= 0 ? 0 : Steps(_workers[part], _order, _offset + a, n, _lr);
    }

    /// <summary>One worker's slice, a window at a time into its own buffers.</summary>
    private double Steps(Slice w, int[] order, int offset, int n, float lr)
    {
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            _source.Gather(order.AsSpan(offset + i, 1), w.Ids, w.Label);
            loss += _s.Net.SgdStep(w.Workspace, w.Ids, w.Label, lr, _s.TrainTable);
        }
        return loss;
    }

    private sealed class Slice(WindowModel<float>.Workspace workspace, int[] ids)
    {
        public WindowModel<float>.Workspace Workspace { get; } = workspace;
        public int[] Ids { get; } = ids;
        public int[] Label { get; } = new int[1];
        public double Loss { get; set; }
    }
}
