using System.Numerics.Tensors;
using Nerve.Model;

namespace Nerve.Training;

/// <summary>Where a training step reads its windows: ids (B, C, F) and gold classes (B) of the given window indices.</summary>
internal interface IWindowSource
{
    int WindowWidth { get; }

    void Gather(ReadOnlySpan<int> windows, Span<int> ids, Span<int> labels);
}

/// <summary>
/// One update of the trainer: forward, backward, sparse embedding update and optimizer step, on one thread or split
/// data-parallel over fixed slices whose gradients are summed in worker order (deterministic for a given count).
/// Used by <see cref="Trainer"/> and by <see cref="Bench"/>, so the benchmark times the trainer's own code.
/// </summary>
internal sealed class StepRunner
{
    private readonly WindowModel<float> _net;
    private readonly Optimizer<float> _optimizer;
    private readonly bool[] _trainTable;
    private readonly Worker[] _workers;
    private readonly ParallelOptions _parallel;

    public StepRunner(WindowModel<float> net, Optimizer<float> optimizer, bool[] trainTable, int batch, int threads, int windowWidth, Func<WindowModel<float>, int, IBackprop<float>> engine)
    {
        _net = net;
        _optimizer = optimizer;
        _trainTable = trainTable;
        _workers = Enumerable.Range(0, Math.Max(1, Math.Min(threads, batch))).Select(_ => new Worker(engine(net, batch), net, batch, windowWidth)).ToArray();
        _workers[0].Gradients = net.Parameters.Gradients; // worker 0 accumulates in place; the others are reduced into it
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = _workers.Length };
    }

    /// <summary>One update on the windows order[offset … offset + b − 1]; returns their summed loss.</summary>
    public double Step(IWindowSource source, int[] order, int offset, int b, float lr, float l2)
    {
        var workers = _workers;
        float scale = 1f / b;
        int used = Math.Min(workers.Length, b);
        if (used == 1)
        {
            var w = workers[0];
            source.Gather(order.AsSpan(offset, b), w.Ids, w.Labels);
            if (b == 1 && l2 == 0f && _optimizer.Kind == OptimizerKind.Sgd && w.Engine is ManualBackprop<float> manual)
                return manual.SgdStep(w.Ids, w.Labels.AsSpan(0, 1), lr, _trainTable); // PA4's per-window SGD, fused
            double loss = w.Engine.LossAndGradient(w.Ids, w.Labels.AsSpan(0, b), b, scale, l2, w.Gradients, w.Touched, _trainTable);
            _optimizer.Step(w.Gradients, w.Touched, _net.Tables, _trainTable, lr);
            return loss;
        }
        return ParallelStep(source, order, offset, b, used, scale, lr, l2);
    }

    /// <summary>
    /// The data-parallel step, a method of its own: the lambda captures the parameters, and C# allocates the closure
    /// on entry to the method that declares them, so inside <see cref="Step"/> even a one-thread step paid 72 B.
    /// </summary>
    private double ParallelStep(IWindowSource source, int[] order, int offset, int b, int used, float scale, float lr, float l2)
    {
        var workers = _workers;
        int per = (b + used - 1) / used;
        Parallel.For(0, used, _parallel, t =>
        {
            var w = workers[t];
            int a = t * per, n = Math.Min(per, b - a);
            if (n <= 0) { w.Loss = 0; return; }
            source.Gather(order.AsSpan(offset + a, n), w.Ids, w.Labels);
            w.Loss = w.Engine.LossAndGradient(w.Ids, w.Labels.AsSpan(0, n), n, scale, t == 0 ? l2 : 0f, w.Gradients, w.Touched, _trainTable);
        });
        var g0 = workers[0].Gradients;
        double total = workers[0].Loss;
        var p = _net.Parameters;
        for (int t = 1; t < used; t++)
        {
            var w = workers[t];
            total += w.Loss;
            for (int bi = 0; bi < p.Blocks.Count; bi++)
            {
                var blk = p.Blocks[bi];
                if (blk.Kind == ParameterKind.Embedding) continue;
                var src = w.Gradients.AsSpan(blk.Offset, blk.Length);
                TensorPrimitives.Add(g0.AsSpan(blk.Offset, blk.Length), src, g0.AsSpan(blk.Offset, blk.Length));
                src.Clear();
            }
            var tables = _net.Tables;
            for (int k = 0; k < tables.Length; k++)
            {
                var tb = tables[k].Table;
                foreach (int row in w.Touched[k].Rows)
                {
                    var src = w.Gradients.AsSpan(tb.Offset + row * tb.Cols, tb.Cols);
                    var dst = g0.AsSpan(tb.Offset + row * tb.Cols, tb.Cols);
                    TensorPrimitives.Add(dst, src, dst);
                    src.Clear();
                    workers[0].Touched[k].Add(row);
                }
                w.Touched[k].Clear();
            }
        }
        _optimizer.Step(g0, workers[0].Touched, _net.Tables, _trainTable, lr);
        return total;
    }

    /// <summary>One thread's buffers.</summary>
    private sealed class Worker
    {
        public Worker(IBackprop<float> engine, WindowModel<float> net, int batch, int width)
        {
            Engine = engine;
            Ids = new int[batch * width];
            Labels = new int[batch];
            Gradients = new float[net.Parameters.Count];
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
