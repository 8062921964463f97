using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Nerve.Model;
using Nerve.Numerics;

namespace Nerve.Tagging;

/// <summary>
/// The tagging forward pass with the precomputation trick of Chen &amp; Manning (2014, §3.3), which SENNA also uses
/// for its first layer: z1 = b1 + Σ_c Σ_f W_{c,f} E_f[id(c, f)] (seed eq. 1: z = Wx + b1 with x split by window slot c
/// and feature table f), so W_{c,f} E_f[r] is cached for the most frequent rows r of each table and the first layer
/// becomes C·F vector additions per window. Rows that are not cached are multiplied out once per batch (deduplicated,
/// one GEMM per table) and then added the same way. Exact up to float rounding: only the summation order changes.
/// Any depth, activation and head; the layers after the first run as in <see cref="WindowModel{T}.Scores"/>.
/// Thread-safe: the cache is read-only, and each thread passes its own <see cref="Buffers"/>.
/// </summary>
public sealed class WindowTagger
{
    private readonly WindowModel<float> _net;
    private readonly Table[] _tables;
    private readonly float[] _cache; // every table's cached rows: (rows, C, H) each, at Table.CacheOffset
    private readonly float[] _b1;    // b1 (H), pinned beside the cache
    private readonly int _c, _h, _f;
    private readonly bool _plain; // precompute 0: the network's own forward
    private readonly bool _fillOnUse; // rows join the cache when a batch first multiplies them out
    private readonly CharFeatureCache<float>? _charCache; // a character-convolution model's feature per word seen
    private const int Ahead = 8;  // windows between a prefetch and its use

    /// <param name="precompute">
    /// Cached rows in all, taken table by table (words first); the other rows are multiplied out per batch. 0 = the
    /// plain forward of <see cref="WindowModel{T}.Scores"/>.
    /// </param>
    /// <param name="counts">
    /// Occurrences of each row, per table (null, or a null entry: ids in order, as vocabularies are frequency-ordered);
    /// the most frequent rows are cached, none seen fewer than <paramref name="minCount"/> times.
    /// </param>
    public WindowTagger(WindowModel<float> network, int precompute = 0, IReadOnlyList<int[]?>? counts = null, int minCount = 0)
        : this(network, precompute, counts, minCount, fillOnUse: false)
    {
    }

    /// <summary>
    /// A tagger whose cache starts empty and takes every row the first batch that uses it multiplies out (up to
    /// <paramref name="precompute"/> rows, words first): each row is multiplied out once however long the input, and none
    /// that the input lacks. Suits a stream, whose rows are not known in advance. Batches on several threads fill it
    /// concurrently; a row's products do not depend on the batch that made them, so neither do the scores.
    /// </summary>
    public static WindowTagger FillOnUse(WindowModel<float> network, int precompute) => new(network, precompute, null, 0, fillOnUse: true);

    private WindowTagger(WindowModel<float> network, int precompute, IReadOnlyList<int[]?>? counts, int minCount, bool fillOnUse)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(precompute);
        _net = network;
        var config = network.Config;
        // A character convolution's slot is not a table row: such a model runs the network's own forward, with its
        // per-word character feature computed once per distinct word (precompute 0: every time, the reference).
        _plain = precompute == 0 || config.CharCnn is not null || network.Subwords is not null; // composed words are not table rows either
        _charCache = precompute > 0 && config.CharCnn is not null ? new CharFeatureCache<float>(precompute) : null;
        _fillOnUse = fillOnUse;
        _c = config.Window;
        _h = config.Hidden[0];
        _f = config.Features.Count;
        if (_plain)
        {
            _tables = [];
            _cache = _b1 = [];
            return;
        }
        var p = network.Parameters;
        var w1 = p.Value(p[network.Depth == 1 ? "W" : "W1"]); // (H, C·S)
        int input = config.InputDim, slotWidth = config.SlotWidth;
        _tables = new Table[_f];
        long left = Math.Min(precompute, Array.MaxLength / ((long)_c * _h)), cacheLength = 0; // one array holds the cache
        for (int f = 0; f < _f; f++)
        {
            var slot = network.Tables[f];
            int size = config.Features[f].Size, d = config.Features[f].Dim;
            int[] chosen = [];
            int capacity;
            if (fillOnUse)
            {
                capacity = (int)Math.Min(size, left);
            }
            else
            {
                var count = counts is not null && f < counts.Count ? counts[f] : null;
                var rows = Enumerable.Range(0, size);
                if (count is not null) rows = rows.Where(r => count[r] >= minCount).OrderByDescending(r => count[r]).ThenBy(r => r);
                chosen = rows.Take((int)Math.Min(size, left)).ToArray();
                capacity = chosen.Length;
            }
            left -= capacity;
            var t = new Table(slot.Table.Offset, d, size, capacity, cacheLength, _c * _h);
            cacheLength += (long)capacity * _c * _h;
            // W_fᵀ (d, C·H): column (c, i) = W[i, c·S + offset_f … + d), so one GEMM (no packing) gives a row's products for every slot.
            for (int c = 0; c < _c; c++)
                for (int i = 0; i < _h; i++)
                    for (int j = 0; j < d; j++) t.W[j * _c * _h + c * _h + i] = w1[i * input + c * slotWidth + slot.SlotOffset + j];
            for (int n = 0; n < chosen.Length; n++) t.Rank[chosen[n]] = n;
            t.Filled = chosen.Length;
            _tables[f] = t;
        }
        _cache = GC.AllocateUninitializedArray<float>(checked((int)cacheLength), pinned: true); // pinned: rows are summed by address
        _b1 = GC.AllocateArray<float>(_h, pinned: true);
        p.Value(p["b1"]).CopyTo(_b1);
        var values = p.Values;
        foreach (var t in _tables)
        {
            if (t.Filled == 0) continue;
            var gathered = new float[t.Filled * t.Dim];
            for (int r = 0; r < t.Size; r++)
                if (t.Rank[r] >= 0) values.AsSpan(t.Offset + r * t.Dim, t.Dim).CopyTo(gathered.AsSpan(t.Rank[r] * t.Dim, t.Dim));
            t.MultiplyOut(_cache.AsSpan((int)t.CacheOffset, t.Filled * _c * _h), gathered, t.Filled);
        }
    }

    /// <summary>Rows whose first-layer products are cached, over all tables (so far, for a <see cref="FillOnUse"/> cache).</summary>
    public int Cached => _tables.Sum(t => Math.Min(t.Capacity, Volatile.Read(ref t.Filled)));

    /// <summary>Words whose character feature is cached (a character-convolution model's tagger).</summary>
    public int CachedWords => _charCache?.Count ?? 0;

    /// <summary>Bytes held by the cache.</summary>
    public long CacheBytes => (long)_cache.Length * sizeof(float);

    /// <summary>Buffers for batches of up to <paramref name="maxBatch"/> windows; one per thread.</summary>
    public Buffers CreateBuffers(int maxBatch) => new(this, maxBatch, 0);

    /// <summary>Buffers that also hold a batch's ids (<paramref name="maxBatch"/>, <paramref name="windowWidth"/> = C·F) and sentence lengths.</summary>
    internal Buffers CreateBuffers(int maxBatch, int windowWidth) => new(this, maxBatch, windowWidth);

    /// <summary>
    /// Scores s (B, K) of <paramref name="batch"/> windows with ids (B, C, F), left in buffers.Workspace.S (with z and h
    /// as <see cref="WindowModel{T}.Scores"/> leaves them), ready for <see cref="WindowModel{T}.Head"/> and Decode.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Scores(Buffers b, ReadOnlySpan<int> ids, int batch)
    {
        var ws = b.Workspace;
        if (batch > ws.MaxBatch) throw new ArgumentOutOfRangeException(nameof(batch), $"batch {batch} exceeds the buffers' {ws.MaxBatch}");
        if (_plain)
        {
            _net.Scores(ws, ids, batch);
            return;
        }
        int c = _c, h = _h, f = _f, width = c * h;
        var p = _net.Parameters;
        var values = p.Values;
        var offsets = b.Offsets.AsSpan(0, batch * c * f);
        int scratchRows = 0;
        // 1. Where each (window, slot, table) product lives: a cached row (offset ≥ 0 into the cache) or a row of this
        //    batch's scratch (~offset); the scratch rows are the distinct uncached rows, found with a stamp per row.
        int stamp = ++b.Stamp;
        for (int k = 0; k < f; k++)
        {
            var t = _tables[k];
            var seen = b.Seen[k];
            var local = b.Local[k];
            int first = scratchRows;
            for (int i = 0; i < batch * c; i++)
            {
                int row = ids[i * f + k];
                int slot = i % c;
                int r = _fillOnUse ? Volatile.Read(ref t.Rank[row]) : t.Rank[row]; // a filled row is published after its products
                if (r >= 0)
                {
                    offsets[i * f + k] = (int)t.CacheOffset + (r * c + slot) * h;
                    continue;
                }
                if (seen[row] != stamp)
                {
                    seen[row] = stamp;
                    local[row] = scratchRows++;
                    b.Reserve(scratchRows * width, (scratchRows - first) * t.Dim);
                    values.AsSpan(t.Offset + row * t.Dim, t.Dim).CopyTo(b.Gathered.AsSpan((local[row] - first) * t.Dim, t.Dim));
                    b.Rows[local[row]] = row;
                }
                offsets[i * f + k] = ~((local[row] * c + slot) * h);
            }
            int n = scratchRows - first;
            if (n == 0) continue;
            // 2. Every slot's product of the batch's uncached rows of table k.
            t.MultiplyOut(b.Scratch.AsSpan(first * width, n * width), b.Gathered.AsSpan(0, n * t.Dim), n);
            if (_fillOnUse) Keep(t, b.Scratch.AsSpan(first * width, n * width), b.Rows.AsSpan(first, n));
        }
        // 3. z_i = b1 + Σ_{c,f} (W_{c,f} E_f[id])  (seed eq. 1, first layer, summed from cache and scratch).
        SumWindows(ws.Z[0], b.Scratch, offsets, batch);
        _net.ScoresFromFirstLayer(ws, batch);
    }

    /// <summary>
    /// Copies rows just multiplied out into free cache rows and publishes each (its rank) after its products, while the
    /// cache has room. Two threads that race on a row both copy it, and the first rank published stays.
    /// </summary>
    private void Keep(Table t, ReadOnlySpan<float> products, ReadOnlySpan<int> rows)
    {
        int width = _c * _h;
        for (int q = 0; q < rows.Length; q++)
        {
            if (Volatile.Read(ref t.Filled) >= t.Capacity) return;
            int r = Interlocked.Increment(ref t.Filled) - 1;
            if (r >= t.Capacity) return;
            products.Slice(q * width, width).CopyTo(_cache.AsSpan((int)t.CacheOffset + r * width, width));
            Interlocked.CompareExchange(ref t.Rank[rows[q]], r, -1);
        }
    }

    /// <summary>z (B, H): z_i = b1 + the C·F rows of window i, from the cache (offset ≥ 0) or this batch's scratch (~offset).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void SumWindows(float[] z, float[] scratch, ReadOnlySpan<int> offsets, int batch)
    {
        int h = _h, rows = _c * _f;
        Span<nint> at = stackalloc nint[rows];
        fixed (float* pz = z)
        {
            float* cache = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_cache)); // pinned arrays
            float* fresh = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(scratch));
            float* b1 = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_b1));
            for (int i = 0; i < batch; i++)
            {
                if (i + Ahead < batch) // rare words' rows are far apart in a cache larger than L2: ask for a later window's now
                    foreach (int at0 in offsets.Slice((i + Ahead) * rows, rows))
                        if (at0 >= 0) Prefetch.Lines(cache + at0, h * sizeof(float));
                var o = offsets.Slice(i * rows, rows);
                for (int r = 0; r < rows; r++) at[r] = o[r] >= 0 ? (nint)(cache + o[r]) : (nint)(fresh + ~o[r]);
                BlasFloat.SumRows(pz + i * h, b1, at, h, SimdWidth.Auto);
            }
        }
    }

    /// <summary>Class of each of <paramref name="batch"/> windows: the arg max of the scores (softmax and sigmoid are monotone).</summary>
    public void Classify(Buffers b, ReadOnlySpan<int> ids, int batch, Span<int> classes)
    {
        Scores(b, ids, batch);
        _net.Head.Classify(b.Workspace.S, batch, classes);
    }

    /// <summary>One feature table: which rows are cached, where, and W_f laid out by slot.</summary>
    private sealed class Table(int offset, int dim, int size, int capacity, long cacheOffset, int slotsTimesHidden)
    {
        public int Offset { get; } = offset;           // the table's first value in the parameter buffer
        public int Dim { get; } = dim;
        public int Size { get; } = size;
        public int Capacity { get; } = capacity;       // cache rows set aside for the table
        public int Filled;                             // cache rows taken (may pass Capacity by the racing threads' count)
        public long CacheOffset { get; } = cacheOffset;
        public int[] Rank { get; } = Uncached(size);      // row → cache row, −1 when not cached
        public float[] W { get; } = new float[slotsTimesHidden * dim]; // W_fᵀ (d, C·H): column (c, i) = W[i, c·S + offset_f …)

        /// <summary>products (n, C·H) = E_rows (n, d) · W_fᵀ (d, C·H): each of n gathered rows times W_{c,f} for every slot c.</summary>
        public void MultiplyOut(Span<float> products, ReadOnlySpan<float> rows, int n)
        {
            products.Clear();
            Blas<float>.GemmNN(products, rows, W, n, slotsTimesHidden, Dim);
        }

        private static int[] Uncached(int n)
        {
            var a = new int[n];
            Array.Fill(a, -1);
            return a;
        }
    }

    /// <summary>One thread's buffers: the network workspace, and the scratch for the rows a batch finds uncached.</summary>
    public sealed class Buffers
    {
        private readonly WindowTagger _tagger;

        internal Buffers(WindowTagger tagger, int maxBatch, int windowWidth)
        {
            _tagger = tagger;
            Workspace = tagger._net.CreateWorkspace(maxBatch);
            Workspace.CharCache = tagger._charCache;
            Ids = new int[maxBatch * windowWidth];
            Lengths = new int[windowWidth == 0 ? 0 : maxBatch];
            Offsets = new int[maxBatch * tagger._c * tagger._f];
            Seen = tagger._tables.Select(t => t.Filled == t.Size && !tagger._fillOnUse ? [] : new int[t.Size]).ToArray();
            Local = tagger._tables.Select(t => t.Filled == t.Size && !tagger._fillOnUse ? [] : new int[t.Size]).ToArray();
        }

        public WindowModel<float>.Workspace Workspace { get; }

        internal int[] Offsets { get; }
        internal int[] Ids { get; }     // a batch's window ids (B, C, F), for callers that gather them here
        internal int[] Lengths { get; } // the lengths of a batch's sentences
        internal int[][] Seen { get; }
        internal int[][] Local { get; }
        internal int Stamp { get; set; }
        internal int[] Rows => _rows;       // the table row of each scratch row
        internal float[] Scratch => _scratch;
        internal float[] Gathered => _gathered;

        private float[] _scratch = [];
        private float[] _gathered = [];
        private int[] _rows = [];

        /// <summary>Grows the scratch (products) and gathered rows to the given lengths, doubling, so a steady state allocates nothing.</summary>
        internal void Reserve(int scratch, int gathered)
        {
            if (scratch > _scratch.Length)
            {
                var grown = GC.AllocateUninitializedArray<float>(Math.Max(scratch, 2 * _scratch.Length), pinned: true);
                _scratch.CopyTo(grown, 0);
                _scratch = grown;
            }
            if (gathered > _gathered.Length) Array.Resize(ref _gathered, Math.Max(gathered, 2 * _gathered.Length));
            int rows = scratch / (_tagger._c * _tagger._h);
            if (rows > _rows.Length) Array.Resize(ref _rows, Math.Max(rows, 2 * _rows.Length));
        }
    }
}
