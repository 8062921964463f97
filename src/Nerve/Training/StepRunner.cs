using System.Numerics.Tensors;
using Nerve.Features;
using Nerve.Model;
using Nerve.Numerics;

namespace Nerve.Training;

/// <summary>Where a training step reads its windows: ids (B, C, F) and gold classes (B) of the given window indices.</summary>
internal interface IWindowSource
{
    int WindowWidth { get; }

    void Gather(ReadOnlySpan<int> windows, Span<int> ids, Span<int> labels);
}

/// <summary>
/// One update of the trainer: forward, backward (with dropout), sparse embedding update, clipping and optimizer step, on
/// one thread or split data-parallel over fixed slices whose gradients are summed in worker order (deterministic for a
/// given count). A unit is a window, or for the CRF a whole sentence (<see cref="StepSentences"/>). With
/// <see cref="TrainOptions.Hogwild"/>, <see cref="HogwildSteps"/> runs many batch-1 updates at once, lock-free.
/// Used by <see cref="Trainer"/> and by <see cref="Bench"/>, so the benchmark times the trainer's own code.
/// </summary>
internal sealed class StepRunner
{
    private readonly WindowModel<float> _net;
    private readonly Optimizer<float> _optimizer;
    private readonly bool[] _trainTable;
    private readonly TrainOptions _o;
    private readonly Worker[] _workers;
    private readonly ParallelOptions _parallel;
    private readonly bool _dropout;
    private readonly bool _fused; // batch-1 steps take WindowModel.SgdStep (TrainOptions.FusedSgdObstacle, a window head, the manual engine)
    private readonly SgdPipeline? _pipeline; // batch-1 SGD of one hidden layer, not Hogwild: PipelineSteps
    private readonly int[] _chunkIds = [];
    private readonly int[] _chunkLabels = [];

    /// <param name="capacity">Windows one worker handles in one call: the batch, or the longest sentence for the CRF.</param>
    public StepRunner(WindowModel<float> net, Optimizer<float> optimizer, bool[] trainTable, TrainOptions options, int capacity, int windowWidth, Func<WindowModel<float>, int, IBackprop<float>> engine)
    {
        _net = net;
        _optimizer = optimizer;
        _trainTable = trainTable;
        _o = options;
        _dropout = options.InputDropout > 0 || options.HiddenDropout > 0;
        int workers = options.Hogwild ? options.Threads : Math.Max(1, Math.Min(options.Threads, options.Batch));
        _workers = Enumerable.Range(0, workers).Select(_ => new Worker(engine(net, capacity), net, capacity, windowWidth, gradients: !options.Hogwild)).ToArray();
        _workers[0].Gradients = net.Parameters.Gradients; // worker 0 accumulates in place; the others are reduced into it
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = _workers.Length };
        _slices = new Slices(this);
        _fused = options.FusedSgdObstacle() is null && _optimizer.Kind == OptimizerKind.Sgd && net.Config.Output != OutputKind.Crf && _workers[0].Engine is ManualBackprop<float>;
        if (options.Hogwild) options.Validate(net.Config.Output, _workers[0].Engine is ManualBackprop<float>);
        if (_fused && !options.Hogwild && net.Depth == 1)
        {
            _pipeline = new SgdPipeline(net, options.Threads);
            _chunkIds = new int[PipelineChunk * windowWidth];
            _chunkLabels = new int[PipelineChunk];
        }
    }

    /// <summary>Windows per <see cref="PipelineSteps"/> call (fixed, so a resumed run cuts the epoch where an uninterrupted one does).</summary>
    public const int PipelineChunk = 1024;

    /// <summary>Batch-1 SGD runs as <see cref="SgdPipeline"/>: the trainer calls <see cref="PipelineSteps"/> on chunks of <see cref="PipelineChunk"/> windows.</summary>
    public bool Pipelined => _pipeline is not null;

    /// <summary>Threads the pipelined batch-1 steps run on (0 when not <see cref="Pipelined"/>).</summary>
    public int PipelineThreads => _pipeline?.Threads ?? 0;

    /// <summary>Batch-1 SGD steps on the windows order[offset … offset + count − 1] (count ≤ <see cref="PipelineChunk"/>) in order; returns their summed loss.</summary>
    public double PipelineSteps(IWindowSource source, int[] order, int offset, int count, float lr)
    {
        var pipeline = _pipeline ?? throw new InvalidOperationException("batch-1 SGD of one hidden layer runs pipelined; this runner's options do not");
        if (count > PipelineChunk) throw new ArgumentOutOfRangeException(nameof(count), $"at most {PipelineChunk} windows a call");
        source.Gather(order.AsSpan(offset, count), _chunkIds, _chunkLabels);
        return pipeline.Steps(_chunkIds, _chunkLabels, count, lr, _trainTable);
    }

    /// <summary>
    /// Windows one <see cref="Steps"/> call takes: a chunk of batch-1 steps for Hogwild and the pipeline (cancellation,
    /// checkpoints and progress wait for its end), else one batch.
    /// </summary>
    public int Stride => _o.Hogwild ? HogwildChunk : Pipelined ? PipelineChunk : _o.Batch;

    /// <summary>Whether a <see cref="Steps"/> call runs a chunk of many updates (Hogwild, the pipeline) rather than one.</summary>
    public bool Chunked => _o.Hogwild || Pipelined;

    /// <summary>
    /// The updates on windows order[offset … offset + count − 1], count ≤ <see cref="Stride"/>, as the options ask:
    /// Hogwild, pipelined batch-1 SGD, or one (data-parallel) step. Returns their summed loss.
    /// </summary>
    public double Steps(IWindowSource source, int[] order, int offset, int count, float lr, int epoch) =>
        _o.Hogwild ? HogwildSteps(source, order, offset, count, lr)
        : Pipelined ? PipelineSteps(source, order, offset, count, lr)
        : Step(source, order, offset, count, lr, epoch);

    /// <summary>Windows per <see cref="HogwildSteps"/> call: each worker runs this many / workers between synchronisations.</summary>
    public int HogwildChunk => 1024 * _workers.Length;

    /// <summary>One update on the windows order[offset … offset + b − 1]; returns their summed loss.</summary>
    public double Step(IWindowSource source, int[] order, int offset, int b, float lr, int epoch)
    {
        float l2 = (float)_o.L2;
        int used = Math.Min(_workers.Length, b);
        if (used == 1)
        {
            var w = _workers[0];
            source.Gather(order.AsSpan(offset, b), w.Ids, w.Labels);
            if (_fused && b == 1)
                return ((ManualBackprop<float>)w.Engine).SgdStep(w.Ids, w.Labels.AsSpan(0, 1), lr, _trainTable); // PA4's per-window SGD, fused
            if (_dropout) w.Engine.SetDropout(_o.InputDropout, _o.HiddenDropout, StepSeed(epoch, offset));
            double loss = w.Engine.LossAndGradient(w.Ids, w.Labels.AsSpan(0, b), b, 1f / b, l2, w.Gradients, w.Touched, _trainTable);
            return Finish(1, lr, loss);
        }
        return ParallelStep(source, order, offset, b, used, lr, epoch);
    }

    /// <summary>
    /// The data-parallel step: worker t takes the t-th slice of the batch on the team of <see cref="IntraOp"/> (this thread
    /// and spinning helpers: a batch is a fraction of a millisecond, too short to hand to the thread pool, whose workers
    /// sleep and wake between batches), then the gradients are summed in worker order.
    /// </summary>
    private double ParallelStep(IWindowSource source, int[] order, int offset, int b, int used, float lr, int epoch)
    {
        var job = _slices;
        (job.Source, job.Order, job.Offset, job.Batch, job.Per, job.Epoch) = (source, order, offset, b, (b + used - 1) / used, epoch);
        try
        {
            IntraOp.TeamOf(used).Run(job, used); // each slice's kernels run unsplit
        }
        finally
        {
            job.Source = null;
            job.Order = [];
        }
        return Finish(used, lr, 0);
    }

    private readonly Slices _slices;

    /// <summary>One data-parallel step's slices, as a team job (its fields are the step's arguments).</summary>
    private sealed class Slices(StepRunner runner) : IPart
    {
        public IWindowSource? Source;
        public int[] Order = [];
        public int Offset, Batch, Per, Epoch;

        public void Run(int part, int parts)
        {
            var r = runner;
            var w = r._workers[part];
            int a = part * Per, n = Math.Min(Per, Batch - a);
            if (n <= 0)
            {
                w.Loss = 0;
                return;
            }
            Source!.Gather(Order.AsSpan(Offset + a, n), w.Ids, w.Labels);
            if (r._dropout) w.Engine.SetDropout(r._o.InputDropout, r._o.HiddenDropout, r.StepSeed(Epoch, Offset + a));
            w.Loss = w.Engine.LossAndGradient(w.Ids, w.Labels.AsSpan(0, n), n, 1f / Batch, part == 0 ? (float)r._o.L2 : 0f, w.Gradients, w.Touched, r._trainTable);
        }
    }

    /// <summary>
    /// HOGWILD! (Recht et al. 2011): the windows order[offset … offset + count − 1] in one contiguous slice per worker,
    /// each worker running fused batch-1 SGD steps that write the shared parameters without locks; returns the summed
    /// loss. Workers race on W, U, the biases and common embedding rows, so only one worker is deterministic (and then
    /// equals <see cref="Step"/> with b = 1 window by window).
    /// </summary>
    public double HogwildSteps(IWindowSource source, int[] order, int offset, int count, float lr)
    {
        if (_workers.Length == 1) return HogwildSlice(_workers[0], source, order, offset, count, lr);
        return ParallelHogwild(source, order, offset, count, lr);
    }

    /// <summary>
    /// The parallel part of <see cref="HogwildSteps"/>, a method of its own: the lambda captures the parameters, and C#
    /// allocates the closure on entry to the method that declares them, so a one-worker call would pay for it too.
    /// </summary>
    private double ParallelHogwild(IWindowSource source, int[] order, int offset, int count, float lr)
    {
        var workers = _workers;
        int per = (count + workers.Length - 1) / workers.Length;
        Parallel.For(0, workers.Length, _parallel, t =>
        {
            int a = t * per, n = Math.Min(per, count - a);
            workers[t].Loss = n <= 0 ? 0 : HogwildSlice(workers[t], source, order, offset + a, n, lr);
        });
        double loss = 0;
        foreach (var w in workers) loss += w.Loss;
        return loss;
    }

    /// <summary>One worker's slice, a window at a time into its own buffers.</summary>
    private double HogwildSlice(Worker w, IWindowSource source, int[] order, int offset, int n, float lr)
    {
        var manual = (ManualBackprop<float>)w.Engine; // checked in the constructor
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            source.Gather(order.AsSpan(offset + i, 1), w.Ids, w.Labels);
            loss += manual.SgdStep(w.Ids, w.Labels.AsSpan(0, 1), lr, _trainTable);
        }
        return loss;
    }

    /// <summary>One update on the sentences order[offset … offset + b − 1] of <paramref name="source"/> (CRF units).</summary>
    public double StepSentences(WindowSet source, int[] order, int offset, int b, float lr, int epoch)
    {
        int used = Math.Min(_workers.Length, b);
        if (used == 1)
        {
            using var intraOp = IntraOp.Use(_o.Threads); // one sentence at a time: its kernels split over the threads
            return Finish(1, lr, Sentences(_workers[0], source, order, offset, b, 1f / b, (float)_o.L2, epoch));
        }
        return ParallelSentences(source, order, offset, b, used, lr, epoch);
    }

    private double ParallelSentences(WindowSet source, int[] order, int offset, int b, int used, float lr, int epoch)
    {
        var workers = _workers;
        int per = (b + used - 1) / used;
        Parallel.For(0, used, _parallel, t =>
        {
            int a = t * per, n = Math.Min(per, b - a);
            workers[t].Loss = n <= 0 ? 0 : Sentences(workers[t], source, order, offset + a, n, 1f / b, t == 0 ? (float)_o.L2 : 0f, epoch);
        });
        return Finish(used, lr, 0);
    }

    /// <summary>Loss and gradient of n sentences on one worker, one engine call per sentence; λ once, with the first.</summary>
    private double Sentences(Worker w, WindowSet source, int[] order, int offset, int n, float scale, float l2, int epoch)
    {
        double loss = 0;
        var starts = source.SentenceStarts;
        for (int i = 0; i < n; i++)
        {
            int sentence = order[offset + i];
            int from = starts[sentence], len = starts[sentence + 1] - from;
            if (len == 0) continue;
            source.GatherRange(from, len, w.Ids);
            source.Labels.AsSpan(from, len).CopyTo(w.Labels);
            if (_dropout) w.Engine.SetDropout(_o.InputDropout, _o.HiddenDropout, StepSeed(epoch, offset + i));
            loss += w.Engine.LossAndGradient(w.Ids, w.Labels.AsSpan(0, len), len, scale, i == 0 ? l2 : 0f, w.Gradients, w.Touched, _trainTable);
        }
        return loss;
    }

    /// <summary>Dropout masks are a function of (seed, epoch, first unit), so a step is reproducible on any thread.</summary>
    private ulong StepSeed(int epoch, int unit) => Dropout.Mix(((ulong)(uint)_o.Seed << 40) ^ ((ulong)(uint)epoch << 28) ^ (uint)unit);

    /// <summary>Sums the workers' gradients into worker 0 in order, clips, and applies the optimizer; returns the batch loss.</summary>
    private double Finish(int used, float lr, double loss)
    {
        var workers = _workers;
        var g0 = workers[0].Gradients;
        if (used > 1) loss = workers[0].Loss;
        for (int t = 1; t < used; t++)
        {
            loss += workers[t].Loss;
            _net.Parameters.MoveGradients(workers[t].Gradients, workers[t].Touched, g0, workers[0].Touched, _net.Tables);
        }
        Clip(workers[0]);
        _optimizer.Step(g0, workers[0].Touched, _net.Tables, _trainTable, lr);
        return loss;
    }

    /// <summary>Rescales the gradient (dense blocks and touched rows) to norm ≤ ClipNorm.</summary>
    private void Clip(Worker w)
    {
        if (_o.ClipNorm <= 0) return;
        var g = w.Gradients;
        var blocks = _net.Parameters.Blocks;
        var tables = _net.Tables;
        double sq = 0;
        for (int i = 0; i < blocks.Count; i++)
            if (blocks[i].Kind != ParameterKind.Embedding) sq += TensorPrimitives.SumOfSquares<float>(g.AsSpan(blocks[i].Offset, blocks[i].Length));
        for (int k = 0; k < tables.Length; k++)
            foreach (int row in w.Touched[k].Rows)
                sq += TensorPrimitives.SumOfSquares<float>(g.AsSpan(tables[k].Table.Offset + row * tables[k].Table.Cols, tables[k].Table.Cols));
        double norm = Math.Sqrt(sq);
        if (norm <= _o.ClipNorm) return;
        float f = (float)(_o.ClipNorm / norm);
        for (int i = 0; i < blocks.Count; i++)
            if (blocks[i].Kind != ParameterKind.Embedding) TensorPrimitives.Multiply(g.AsSpan(blocks[i].Offset, blocks[i].Length), f, g.AsSpan(blocks[i].Offset, blocks[i].Length));
        for (int k = 0; k < tables.Length; k++)
            foreach (int row in w.Touched[k].Rows)
            {
                var r = g.AsSpan(tables[k].Table.Offset + row * tables[k].Table.Cols, tables[k].Table.Cols);
                TensorPrimitives.Multiply(r, f, r);
            }
    }

    /// <summary>One thread's buffers.</summary>
    private sealed class Worker
    {
        /// <param name="gradients">Whether the worker needs a gradient buffer of its own (Hogwild workers write the parameters).</param>
        public Worker(IBackprop<float> engine, WindowModel<float> net, int capacity, int width, bool gradients)
        {
            Engine = engine;
            Ids = new int[capacity * width];
            Labels = new int[capacity];
            Gradients = gradients ? new float[net.Parameters.Count] : [];
            Touched = net.Config.Features.Select(f => new RowSet(f.Size)).ToArray();
        }

        public IBackprop<float> Engine { get; }
        public int[] Ids { get; }
        public int[] Labels { get; }
        public float[] Gradients { get; set; }
        public RowSet[] Touched { get; }
        public double Loss { get; set; }
    }
}
