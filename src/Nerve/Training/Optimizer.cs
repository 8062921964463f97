using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Nerve.Model;
using Nerve.Numerics;

namespace Nerve.Training;

/// <summary>The update rule.</summary>
public enum OptimizerKind
{
    /// <summary>θ ← θ − α ∂J/∂θ (seed: θ_new = θ_old − α ∇θ J).</summary>
    Sgd,
    /// <summary>AdaGrad (Duchi et al. 2011): G ← G + g², θ ← θ − α g / (√G + ε).</summary>
    AdaGrad,
}

/// <summary>
/// Applies one update to every dense block and to the touched rows of the trainable embedding tables,
/// then zeroes the gradients it consumed (one loop over the flat buffers).
/// </summary>
public sealed class Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Parameters<T> _p;
    private readonly T _epsilon;

    public Optimizer(Parameters<T> parameters, OptimizerKind kind, double epsilon = 1e-8)
    {
        _p = parameters;
        Kind = kind;
        _epsilon = T.CreateTruncating(epsilon);
        State = kind == OptimizerKind.AdaGrad ? new T[parameters.Count] : [];
        _dense = new DenseJob(this);
    }

    public OptimizerKind Kind { get; }

    /// <summary>Per-parameter state (AdaGrad's Σg²), same layout as the parameters; empty for SGD.</summary>
    public T[] State { get; }

    /// <summary>θ ← update(θ, g) for dense blocks and touched rows; g is zeroed and the row sets cleared.</summary>
    public void Step(Span<T> gradients, RowSet[] touched, ReadOnlySpan<EmbeddingSlot> tables, ReadOnlySpan<bool> trainTable, T learningRate)
    {
        var blocks = _p.Blocks;
        for (int i = 0; i < blocks.Count; i++) // by index: foreach over IReadOnlyList boxes its enumerator every step
        {
            var b = blocks[i];
            if (b.Kind == ParameterKind.Embedding) continue;
            Update(b.Offset, b.Length, gradients, learningRate);
        }
        for (int k = 0; k < tables.Length; k++)
        {
            if (!trainTable[k]) continue;
            var t = tables[k].Table;
            // Sparse: only the rows some window used (SGD updates only the rows of L in the window).
            var rows = touched[k].Rows;
            for (int r = 0; r < rows.Length; r++)
            {
                if (r + Prefetch.Ahead < rows.Length) // embedding rows are scattered over a large table: ask for a later one's θ, g, G now
                {
                    int next = t.Offset + rows[r + Prefetch.Ahead] * t.Cols;
                    Prefetch.Row<T>(gradients, next, t.Cols);
                    Prefetch.Row<T>(_p.Values, next, t.Cols);
                    if (State.Length > 0) Prefetch.Row<T>(State, next, t.Cols);
                }
                Update(t.Offset + rows[r] * t.Cols, t.Cols, gradients, learningRate);
            }
            touched[k].Clear();
        }
    }

    private unsafe void Update(int offset, int length, Span<T> gradients, T lr)
    {
        if (length >= ParallelLength && IntraOp.Current is { } team)
        {
            // A dense block split over the intra-op team: elementwise, so the same values as one thread.
            fixed (T* g = gradients)
            {
                _dense.G = g;
                _dense.Count = gradients.Length;
                _dense.Offset = offset;
                _dense.Length = length;
                _dense.Lr = lr;
                team.Run(_dense, team.Size);
            }
            return;
        }
        UpdateRange(offset, length, gradients, lr);
    }

    private const int ParallelLength = 1 << 16;

    private readonly DenseJob _dense;

    /// <summary>One part of a dense update: a range of the block, cut at multiples of 64 values.</summary>
    private sealed unsafe class DenseJob(Optimizer<T> owner) : IPart
    {
        public T* G;
        public int Count, Offset, Length;
        public T Lr;

        public void Run(int part, int parts)
        {
            var (start, end) = Team.Range(Length, part, parts, 64);
            if (end > start) owner.UpdateRange(Offset + start, end - start, new Span<T>(G, Count), Lr);
        }
    }

    private void UpdateRange(int offset, int length, Span<T> gradients, T lr)
    {
        var theta = _p.Values.AsSpan(offset, length);
        var g = gradients.Slice(offset, length);
        if (Kind == OptimizerKind.Sgd)
        {
            TensorPrimitives.MultiplyAdd(g, -lr, theta, theta);
            g.Clear();
            return;
        }
        // One pass instead of six over G, g and θ (g zeroed as it is read), with the same operations in the same order.
        var acc = State.AsSpan(offset, length);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // Loads and stores by reference, which stay intrinsics where this loop is inlined into the training step.
            var eps = new Vector<T>(_epsilon);
            var step = new Vector<T>(-lr);
            ref T rg = ref MemoryMarshal.GetReference(g);
            ref T ra = ref MemoryMarshal.GetReference(acc);
            ref T rt = ref MemoryMarshal.GetReference(theta);
            for (; i <= length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var gv = Vector.LoadUnsafe(ref rg, (nuint)i);
                Vector<T>.Zero.StoreUnsafe(ref rg, (nuint)i);
                var av = gv * gv + Vector.LoadUnsafe(ref ra, (nuint)i);                   // G += g²
                av.StoreUnsafe(ref ra, (nuint)i);
                var u = gv / (Vector.SquareRoot(av) + eps);                               // g / (√G + ε)
                (u * step + Vector.LoadUnsafe(ref rt, (nuint)i)).StoreUnsafe(ref rt, (nuint)i); // θ −= α g / (√G + ε)
            }
        }
        for (; i < length; i++)
        {
            T gi = g[i];
            g[i] = T.Zero;
            acc[i] = gi * gi + acc[i];
            theta[i] = gi / (T.Sqrt(acc[i]) + _epsilon) * -lr + theta[i];
        }
    }
}
