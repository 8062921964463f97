using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Nerve.Model;
using Nerve.Numerics;

namespace Nerve.Training;

/// <summary>
/// PA4's per-window SGD (batch 1, plain SGD, no L2 or dropout) for one hidden layer and a softmax or sigmoid head,
/// window after window, with each step's pass over W also computing the next window's first layer:
/// for every row i of W it takes ∂J/∂x += W_iᵀ δ2_i (eq. 3e at the old W), W_i ← W_i − α δ2_i xᵀ (eq. 3b) and
/// z'_i = W_i · x' (eq. 1 of the next window), so W streams through the cache once per window instead of three times
/// (<see cref="Blas{T}.GemvTGerGemv"/>). x' is gathered before this step's embedding update; for a slot whose row
/// the update changes, z gets W (x − x') added, with x the row exactly as written (the same operations on a copy).
/// <para>
/// On P threads the hidden units are split into P row blocks: each thread owns its rows of W, b1 and U's columns,
/// computes its part of the scores and of ∂J/∂x, and two spin barriers a window exchange them (summed in part order);
/// the head (P of the scores, δ3) is computed by every thread alike, and thread 0 writes b2 and the embedding rows.
/// Thread 0 is also the only one to read the embedding table: it gathers each next window's x for all parts, so rows it
/// updates never travel to another core's cache and back. The parts keep W's rows 16 floats apart (padded with zeros),
/// each on its own cache line.
/// Every sum has a fixed order, so a thread count gives the same model every time. It is the same SGD as
/// <see cref="WindowModel{T}.SgdStep"/> window by window, up to float rounding (tested).
/// </para>
/// </summary>
internal sealed class SgdPipeline : IPart
{
    private readonly WindowModel<float> _net;
    private readonly ParameterBlock _w, _b1, _u, _b2;
    private readonly int _h, _in, _k, _window, _features, _slotWidth;
    private readonly int _lda; // the parts' row stride of W: I rounded up to 16 floats, so every row starts on a cache line
    private readonly ActivationKind _activation;
    private readonly IWindowHead<float> _head;
    private readonly Part[] _parts;
    private readonly float[] _mail;     // per part, _stride apart: its rows' share of ∂J/∂x (I), then of U h (K)
    private readonly float[] _xShare;   // the next window's x as part 0 gathers it (lda, two buffers a window apart)
    private readonly int _stride;
    private readonly long[] _arrived = new long[32]; // [Line]: barrier arrivals in this call, alone on its cache line
    private const int Line = 16;
    private volatile bool _failed;

    // The current call.
    private int[] _ids = [];
    private int[] _labels = [];
    private bool[] _train = [];
    private int _count;
    private float _step;
    private double _loss;

    public SgdPipeline(WindowModel<float> net, int threads)
    {
        if (net.Depth != 1) throw new ArgumentException("the pipelined SGD step covers one hidden layer", nameof(net));
        _head = net.Head.PerWindow ?? throw new ArgumentException("the pipelined SGD step covers the per-window heads (softmax, sigmoid)", nameof(net));
        _net = net;
        var p = net.Parameters;
        _w = p["W"];
        _b1 = p["b1"];
        _u = p["U"];
        _b2 = p["b2"];
        _h = _w.Rows;
        _in = _w.Cols;
        _k = net.Config.OutputDim;
        _window = net.Config.Window;
        _features = net.Config.Features.Count;
        _slotWidth = net.Config.SlotWidth;
        _activation = net.Config.Activation;
        _lda = Pad(_in);
        int parts = Math.Clamp(threads, 1, Math.Max(1, _h / 8)); // at least 8 rows each
        _parts = new Part[parts];
        for (int c = 0; c < parts; c++)
        {
            var (r0, r1) = Team.Range(_h, c, parts, 4);
            _parts[c] = new Part(r0, r1, _lda, _k);
        }
        // Each part's mail starts on a fresh cache line after 16 floats of padding, so parts never write a shared line.
        _stride = _lda + Pad(_k) + 16;
        _mail = new float[16 + parts * _stride];
        _xShare = new float[16 + 2 * (_lda + 16)];
    }

    private Span<float> XShare(int t) => _xShare.AsSpan(16 + (t & 1) * (_lda + 16), _lda);

    private static int Pad(int n) => (n + 15) / 16 * 16;

    private Span<float> Dx(int part) => _mail.AsSpan(16 + part * _stride, _lda);

    private Span<float> Shares(int part) => _mail.AsSpan(16 + part * _stride + _lda, _k);

    /// <summary>Threads the steps run on (the row blocks of W).</summary>
    public int Threads => _parts.Length;

    /// <summary>
    /// SGD steps on <paramref name="count"/> windows in order, ids (count, C, F) and labels (count), at learning rate α;
    /// embedding tables with <paramref name="trainTable"/> set are updated. Returns the summed loss.
    /// </summary>
    public double Steps(int[] ids, int[] labels, int count, float learningRate, bool[] trainTable)
    {
        if (count <= 0) return 0;
        if (ids.Length < count * _window * _features || labels.Length < count) throw new ArgumentException("ids (count, C, F) and labels (count) are too short");
        _ids = ids;
        _labels = labels;
        _count = count;
        _step = -learningRate;
        _train = trainTable;
        _loss = 0;
        _arrived[Line] = 0;
        _failed = false;
        if (_parts.Length == 1)
        {
            Run(0, 1);
            return _loss;
        }
        IntraOp.TeamOf(_parts.Length).Run(this, _parts.Length); // the kernels inside the parts run unsplit
        return _loss;
    }

    public void Run(int part, int parts)
    {
        try
        {
            Pass(_parts[part], part, parts);
        }
        catch
        {
            _failed = true; // release the other parts from their barriers
            throw;
        }
    }

    private void Pass(Part me, int part, int parts)
    {
        var values = _net.Parameters.Values;
        var tables = _net.Tables;
        int r0 = me.R0, rows = me.R1 - me.R0, width = _window * _features, lda = _lda;
        // This part's rows of W and b1, columns of U and a copy of b2, in its own buffers for the call (no cache line
        // is written by two threads); every part updates its b2 copy alike, part 0 writes it back.
        var w = me.W;
        var b1 = me.B1;
        var u = me.U;   // (K, rows)
        var b2 = me.B2;
        for (int i = 0; i < rows; i++) values.AsSpan(_w.Offset + (r0 + i) * _in, _in).CopyTo(w.Slice(i * lda, _in)); // padding columns stay 0
        values.AsSpan(_b1.Offset + r0, rows).CopyTo(b1);
        for (int k = 0; k < _k; k++) values.AsSpan(_u.Offset + k * _h + r0, rows).CopyTo(u.Slice(k * rows, rows));
        values.AsSpan(_b2.Offset, _k).CopyTo(b2);
        float step = _step;
        long goal = 0;
        double total = 0;
        bool anyTable = false;
        foreach (bool t in _train) anyTable |= t;
        Span<float> x = me.X, xNext = me.XNext, z = me.Z, zNext = me.ZNext, h = me.H, s = me.S, p = me.P, d3 = me.D3, da = me.DA, dz = me.DZ;
        Span<float> stepX = me.StepX, dxAll = me.DX;

        // The first window's first layer: z = W x + b1 (eq. 1) on this part's rows.
        WindowEmbedding<float>.Forward(x, _ids.AsSpan(0, width), values, tables, 1, _window, _slotWidth);
        b1.CopyTo(z);
        Blas<float>.Gemv(z, w, x, rows, lda);

        for (int t = 0; t < _count; t++)
        {
            // Part 0 alone reads the embedding table (and alone writes it, below), so its rows never move between cores:
            // it gathers the next window's x' before this step's update, for every part, and asks for the rows of the one after.
            bool next = t + 1 < _count;
            if (part == 0 && next)
            {
                WindowEmbedding<float>.Forward(XShare(t + 1), _ids.AsSpan((t + 1) * width, width), values, tables, 1, _window, _slotWidth);
                if (t + 2 < _count) PrefetchRows(values, _ids.AsSpan((t + 2) * width, width));
            }

            // h = f(z); this part's share of the scores, U[:, rows] h[rows].
            Activation<float>.Forward(h, z, _activation);
            var share = Shares(part);
            for (int k = 0; k < _k; k++) share[k] = TensorPrimitives.Dot<float>(u.Slice(k * rows, rows), h);
            goal += parts;
            Barrier(goal);

            // s = U h + b2 (eq. 1), the loss and δ3 = p − y (eq. 2a): every part alike, from the shares in part order.
            b2.CopyTo(s);
            for (int c = 0; c < parts; c++) TensorPrimitives.Add(s, Shares(c), s);
            var label = _labels.AsSpan(t, 1);
            d3.Clear();
            total += _head.Forward(p, s, label, 1);
            _head.Backward(d3, p, label, 1, 1f);

            // ∂J/∂h = Uᵀ δ3 at the old U, then U ← U − α δ3 hᵀ (eq. 3a), b2 ← b2 − α δ3 (eq. 3c).
            da.Clear();
            for (int k = 0; k < _k; k++)
            {
                var row = u.Slice(k * rows, rows);
                TensorPrimitives.MultiplyAdd(row, d3[k], da, da);
                TensorPrimitives.MultiplyAdd(h, step * d3[k], row, row);
            }
            TensorPrimitives.MultiplyAdd(d3, step, b2, b2);
            HiddenDelta<float>.Compute(dz, da, [], z, h, _activation); // δ2 = (Uᵀ δ3) ⊙ f′(z) (eq. 2b)
            TensorPrimitives.MultiplyAdd(dz, step, b1, b1);             // b1 ← b1 − α δ2 (eq. 3d)

            // One pass over this part's rows of W: ∂J/∂x, the update (eq. 3b, 3e) and the next window's z.
            if (next) XShare(t + 1).CopyTo(xNext); // published by part 0 before the first barrier
            else xNext.Clear();
            TensorPrimitives.Multiply(x, step, stepX);
            var dx = Dx(part);
            dx.Clear();
            b1.CopyTo(zNext);
            // Over the padded width: x, x' and −α x are 0 past I, so W's padding stays 0 and adds nothing to z' or ∂J/∂x.
            Blas<float>.GemvTGerGemv(w, dx, dz, stepX, zNext, xNext, rows, lda);
            goal += parts;
            Barrier(goal);

            if (anyTable)
            {
                var window = _ids.AsSpan(t * width, width);
                bool shared = next && Shares(window, _ids.AsSpan((t + 1) * width, width));
                if (part == 0 || shared)
                {
                    Dx(0).CopyTo(dxAll);
                    for (int c = 1; c < parts; c++) TensorPrimitives.Add(dxAll, Dx(c), dxAll);
                }
                if (part == 0) _net.SgdRows(window, dxAll, step, _train); // eq. 3e
                if (shared) Correct(me.Delta, dxAll, w, xNext, zNext, window, _ids.AsSpan((t + 1) * width, width), step, rows);
            }
            var swap = x;
            x = xNext;
            xNext = swap;
            swap = z;
            z = zNext;
            zNext = swap;
        }

        // Back into the model: this part's rows and columns; b2 once.
        for (int i = 0; i < rows; i++) w.Slice(i * lda, _in).CopyTo(values.AsSpan(_w.Offset + (r0 + i) * _in, _in));
        b1.CopyTo(values.AsSpan(_b1.Offset + r0, rows));
        for (int k = 0; k < _k; k++) u.Slice(k * rows, rows).CopyTo(values.AsSpan(_u.Offset + k * _h + r0, rows));
        if (part == 0)
        {
            b2.CopyTo(values.AsSpan(_b2.Offset, _k));
            _loss = total;
        }
    }

    /// <summary>Asks for the cache lines of a window's embedding rows, a step before they are gathered.</summary>
    private unsafe void PrefetchRows(float[] values, ReadOnlySpan<int> window)
    {
        var tables = _net.Tables;
        fixed (float* v = values)
            for (int f = 0; f < _features; f++)
            {
                var t = tables[f].Table;
                for (int c = 0; c < _window; c++) Prefetch.Lines(v + t.Offset + window[c * _features + f] * t.Cols, t.Cols * sizeof(float));
            }
    }

    /// <summary>Whether the next window reads a row of a trained table that this window's update writes.</summary>
    private bool Shares(ReadOnlySpan<int> window, ReadOnlySpan<int> next)
    {
        for (int f = 0; f < _features; f++)
        {
            if (!_train[f]) continue;
            for (int s = 0; s < _window; s++)
                for (int c = 0; c < _window; c++)
                    if (next[s * _features + f] == window[c * _features + f]) return true;
        }
        return false;
    }

    /// <summary>
    /// The next window's slots whose rows this step updated: x' becomes the row as <see cref="WindowModel{T}.SgdRows"/> writes it
    /// (the same operations in the same order, on the copy) and z' gets W (x − x') on those columns.
    /// </summary>
    private void Correct(Span<float> delta, ReadOnlySpan<float> dxAll, ReadOnlySpan<float> w, Span<float> xNext, Span<float> zNext, ReadOnlySpan<int> window, ReadOnlySpan<int> next, float step, int rows)
    {
        var tables = _net.Tables;
        for (int f = 0; f < _features; f++)
        {
            if (!_train[f]) continue;
            int dim = tables[f].Table.Cols;
            for (int s = 0; s < _window; s++)
            {
                int id = next[s * _features + f];
                int at = s * _slotWidth + tables[f].SlotOffset;
                var x = xNext.Slice(at, dim);
                var was = delta[..dim];
                bool hit = false;
                for (int c = 0; c < _window; c++)
                {
                    if (window[c * _features + f] != id) continue;
                    if (!hit) x.CopyTo(was);
                    hit = true;
                    TensorPrimitives.MultiplyAdd(dxAll.Slice(c * _slotWidth + tables[f].SlotOffset, dim), step, x, x);
                }
                if (!hit) continue;
                TensorPrimitives.Subtract(x, was, was); // x − x'
                BlasFloat.GemvStrided(zNext, w[at..], _lda, was, rows, dim, SimdWidth.Auto);
            }
        }
    }

    /// <summary>Waits until every part has arrived <paramref name="goal"/> / parts times (a spin: steps are microseconds).</summary>
    private void Barrier(long goal)
    {
        if (_parts.Length == 1) return;
        Interlocked.Increment(ref _arrived[Line]);
        while (Volatile.Read(ref _arrived[Line]) < goal)
        {
            if (_failed) throw new OperationCanceledException("another part of the SGD step failed");
            if (X86Base.IsSupported) X86Base.Pause(); // Thread.SpinWait's calibrated loop costs more than the wait itself
        }
    }

    /// <summary>
    /// One thread's rows [R0, R1) of the hidden layer: its copies of the parameters it updates and its buffers, all
    /// slices of one array, each on fresh cache lines and the whole padded by a line at each end, so that no cache
    /// line is written by two threads.
    /// </summary>
    private sealed class Part
    {
        private readonly float[] _block;
        private readonly (int At, int Length)[] _views;

        public Part(int r0, int r1, int inputs, int k)
        {
            R0 = r0;
            R1 = r1;
            int rows = r1 - r0;
            int[] lengths = [rows * inputs, rows, k * rows, k, inputs, inputs, inputs, inputs, inputs, rows, rows, rows, rows, rows, k, k, k];
            _views = new (int, int)[lengths.Length];
            int at = 16;
            for (int v = 0; v < lengths.Length; v++)
            {
                _views[v] = (at, lengths[v]);
                at += Pad(lengths[v]);
            }
            // Pinned, and every view moved to start on a 64-byte line: W's rows (lda a multiple of 16 floats) then do too.
            _block = GC.AllocateArray<float>(at + 32, pinned: true);
            _shift = Align(_block);
        }

        private readonly int _shift;

        private static unsafe int Align(float[] pinned)
        {
            long address = (long)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));
            return (int)((64 - address % 64) % 64) / sizeof(float);
        }

        private Span<float> View(int v) => _block.AsSpan(_shift + _views[v].At, _views[v].Length);

        public int R0 { get; }
        public int R1 { get; }
        public Span<float> W => View(0);     // (rows, I)
        public Span<float> B1 => View(1);    // (rows)
        public Span<float> U => View(2);     // (K, rows)
        public Span<float> B2 => View(3);    // (K)
        public Span<float> X => View(4);     // this window's x
        public Span<float> XNext => View(5); // the next window's x (gathered before this step's embedding update)
        public Span<float> StepX => View(6); // −α x
        public Span<float> DX => View(7);    // ∂J/∂x, all parts summed
        public Span<float> Delta => View(8);
        public Span<float> Z => View(9);     // z on the part's rows, this window and the next
        public Span<float> ZNext => View(10);
        public Span<float> H => View(11);
        public Span<float> DA => View(12);
        public Span<float> DZ => View(13);
        public Span<float> S => View(14);
        public Span<float> P => View(15);
        public Span<float> D3 => View(16);
    }
}
