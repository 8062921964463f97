using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Nerve.Model;
using Nerve.Numerics;

namespace Nerve.Tagging;

/// <summary>
/// The tagging forward pass with the precomputation trick of Chen &amp; Manning (2014, §3.3), which SENNA also uses
/// for its first layer: z1 = b1 + Σ_c Σ_f W_{c,f} E_f[id(c, f)] (seed eq. 1: z = Wx + b1 with x split by window slot c
/// and feature table f), so W_{c,f} E_f[r] is cached for rows r of each table and the first layer becomes C·F vector
/// additions per window. Rows that are not cached are multiplied out once per batch (deduplicated, one GEMM per table)
/// and then added the same way.
/// A model whose slot also holds a vector that is no table row (a character convolution's feature r, a composed word
/// vector) caches whole tokens instead: the slot x_c is a function of the token's ids alone (its table ids and its
/// character ids: <see cref="CharConvolution{T}"/>, <see cref="Features.SubwordLexicon"/>), so W_c x_c is cached per
/// distinct token, keyed by those ids (<see cref="TokenRows"/>), always filled on use, and the first layer becomes C
/// additions per window: z1 = b1 + Σ_c W_c x(token(c)).
/// Exact up to float rounding: only the summation order changes. Any depth, activation and head; the layers after the
/// first run as in <see cref="WindowModel{T}.Scores"/>. Thread-safe: rows are published after their products, and each
/// thread passes its own <see cref="Buffers"/>.
/// </summary>
public sealed class WindowTagger
{
    private readonly WindowModel<float> _net;
    private readonly Table[] _tables;    // table rows (none when tokens are cached)
    private readonly Table? _tokens;     // whole tokens: W_slotᵀ (S, C·H), rows found through _tokenRows
    private readonly TokenRows _tokenRows = new();
    private readonly Region[] _regions;  // the distinct parts of the cache
    private readonly float[] _cache;     // (rows, C, H) per region, at Region.Offset
    private readonly float[] _b1;        // b1 (H), pinned beside the cache
    private readonly int _c, _h, _f, _stride, _perSlot; // ids per token; cached products summed per window slot (F, or 1 token)
    private readonly int[] _columns;     // table k's column among a token's ids
    private readonly bool _plain; // precompute 0: the network's own forward
    private readonly bool _fillOnUse; // rows join the cache when a batch first multiplies them out
    private readonly CharFeatureCache<float>? _charCache; // a character-convolution model's feature per word seen
    private readonly ParameterBlock? _wchr, _w0, _b0;
    private const int Ahead = 8;  // windows between a prefetch and its use

    /// <param name="precompute">
    /// Cached rows in all, taken table by table (words first); the other rows are multiplied out per batch. 0 = the
    /// plain forward of <see cref="WindowModel{T}.Scores"/>. A model that caches tokens takes them as batches first meet
    /// them, whatever <paramref name="counts"/> says.
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
    /// <paramref name="precompute"/> rows, words first; tokens for a model that caches them): each row is multiplied out
    /// once however long the input, and none that the input lacks. Suits a stream, whose rows are not known in advance.
    /// Batches on several threads fill it concurrently; a row's products do not depend on the batch that made them, so
    /// neither do the scores.
    /// </summary>
    public static WindowTagger FillOnUse(WindowModel<float> network, int precompute) => new(network, precompute, null, 0, fillOnUse: true);

    private WindowTagger(WindowModel<float> network, int precompute, IReadOnlyList<int[]?>? counts, int minCount, bool fillOnUse)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(precompute);
        _net = network;
        var config = network.Config;
        _plain = precompute == 0;
        _charCache = precompute > 0 && config.CharCnn is not null ? new CharFeatureCache<float>(precompute) : null;
        _fillOnUse = fillOnUse;
        _c = config.Window;
        _h = config.Hidden[0];
        _f = config.Features.Count;
        _stride = config.IdsPerToken;
        _columns = [.. Enumerable.Range(0, _f).Select(config.Column)];
        bool tokens = config.CharCnn is not null || network.Subwords is not null;
        _perSlot = tokens ? 1 : _f;
        if (_plain)
        {
            _tables = [];
            _regions = [];
            _cache = _b1 = [];
            return;
        }
        var p = network.Parameters;
        var w1 = p.Value(p[network.Depth == 1 ? "W" : "W1"]); // (H, C·S)
        int input = config.InputDim, slotWidth = config.SlotWidth, width = _c * _h;
        long left = Math.Min(precompute, Array.MaxLength / ((long)width)), cacheLength = 0; // one array holds the cache
        _b1 = GC.AllocateArray<float>(_h, pinned: true);
        p.Value(p["b1"]).CopyTo(_b1);
        if (tokens)
        {
            // One region of rows, each a distinct token's W_c x for every slot c, taken as batches first meet them.
            _tables = [];
            _tokens = new Table(0, slotWidth, 0, new Region(0, (int)left), width, complete: false);
            _tokens.Lay(w1, input, slotWidth, 0, _c, _h);
            _regions = [_tokens.Region];
            _cache = GC.AllocateUninitializedArray<float>(checked((int)(left * width)), pinned: true); // pinned: rows are summed by address
            if (config.CharCnn is not null)
            {
                _wchr = p[WindowModel<float>.CharTableName];
                _w0 = p["W0"];
                _b0 = p["b0"];
            }
            return;
        }
        _tables = new Table[_f];
        var regions = new List<Region>();
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
            var region = new Region(cacheLength, capacity) { Filled = chosen.Length };
            regions.Add(region);
            cacheLength += (long)capacity * width;
            var t = new Table(slot.Table.Offset, d, size, region, width, complete: !fillOnUse && chosen.Length == size);
            t.Lay(w1, input, slotWidth, slot.SlotOffset, _c, _h);
            for (int n = 0; n < chosen.Length; n++) t.Rank[chosen[n]] = n;
            _tables[f] = t;
        }
        _regions = [.. regions];
        _cache = GC.AllocateUninitializedArray<float>(checked((int)cacheLength), pinned: true); // pinned: rows are summed by address
        var values = p.Values;
        foreach (var t in _tables)
        {
            int filled = t.Region.Filled;
            if (filled == 0) continue;
            var gathered = new float[filled * t.Dim];
            for (int r = 0; r < t.Size; r++)
                if (t.Rank[r] >= 0) values.AsSpan(t.Offset + r * t.Dim, t.Dim).CopyTo(gathered.AsSpan(t.Rank[r] * t.Dim, t.Dim));
            t.MultiplyOut(_cache.AsSpan((int)t.Region.Offset, filled * width), gathered, filled);
        }
    }

    /// <summary>
    /// Rows whose first-layer products are cached, over all tables, or tokens for a model that caches them (so far, for
    /// a <see cref="FillOnUse"/> cache).
    /// </summary>
    public int Cached => _regions.Sum(r => Math.Min(r.Capacity, Volatile.Read(ref r.Filled)));

    /// <summary>Words whose character feature is cached (a character-convolution model's tagger).</summary>
    public int CachedWords => _charCache?.Count ?? 0;

    /// <summary>Bytes held by the cache.</summary>
    public long CacheBytes => (long)_cache.Length * sizeof(float);

    /// <summary>Buffers for batches of up to <paramref name="maxBatch"/> windows; one per thread.</summary>
    public Buffers CreateBuffers(int maxBatch) => new(this, maxBatch, 0);

    /// <summary>Buffers that also hold a batch's ids (<paramref name="maxBatch"/>, <paramref name="windowWidth"/> = C·F) and sentence lengths.</summary>
    internal Buffers CreateBuffers(int maxBatch, int windowWidth) => new(this, maxBatch, windowWidth);

    /// <summary>
    /// Scores s (B, K) of <paramref name="batch"/> windows with ids (B, C, ·) (a token's ids: one per table, and its
    /// character ids), left in buffers.Workspace.S (with z and h as <see cref="WindowModel{T}.Scores"/> leaves them),
    /// ready for <see cref="WindowModel{T}.Head"/> and Decode.
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
        int c = _c, h = _h, f = _f, per = _perSlot, stride = _stride, width = c * h;
        var p = _net.Parameters;
        var values = p.Values;
        var offsets = b.Offsets.AsSpan(0, batch * c * per);
        int scratchRows = 0;
        int stamp = ++b.Stamp;
        if (_tokens is not null) TokenProducts(b, ids, batch, offsets);
        // 1. Where each (window, slot, table) product lives: a cached row (offset ≥ 0 into the cache) or a row of this
        //    batch's scratch (~offset); the scratch rows are the distinct uncached rows, found with a stamp per row.
        for (int k = 0; k < (_tokens is null ? f : 0); k++)
        {
            var t = _tables[k];
            var seen = b.Seen[k];
            var local = b.Local[k];
            int column = _columns[k], first = scratchRows, cacheOffset = (int)t.Region.Offset;
            for (int i = 0; i < batch * c; i++)
            {
                int row = ids[i * stride + column];
                int slot = i % c;
                int r = _fillOnUse ? Volatile.Read(ref t.Rank[row]) : t.Rank[row]; // a filled row is published after its products
                if (r >= 0)
                {
                    offsets[i * per + k] = cacheOffset + (r * c + slot) * h;
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
                offsets[i * per + k] = ~((local[row] * c + slot) * h);
            }
            int n = scratchRows - first;
            if (n == 0) continue;
            // 2. Every slot's product of the batch's uncached rows of table k.
            t.MultiplyOut(b.Scratch.AsSpan(first * width, n * width), b.Gathered.AsSpan(0, n * t.Dim), n);
            if (_fillOnUse) Keep(t, b.Scratch.AsSpan(first * width, n * width), b.Rows.AsSpan(first, n));
        }
        // 3. z_i = b1 + Σ_{c,f} (W_{c,f} E_f[id]), or b1 + Σ_c W_c x(token(c))  (seed eq. 1, first layer, summed from cache and scratch).
        SumWindows(ws.Z[0], b.Scratch, offsets, batch);
        _net.ScoresFromFirstLayer(ws, batch);
    }

    /// <summary>
    /// Each word slot's products W_c x(token) into offsets (B, C) for a model that caches tokens. The batch's distinct
    /// tokens are found by their ids (slot c of window i is slot c + 1 of window i − 1 when they match, else a hash of
    /// the ids); each is looked up in the cache, and the rest have their slot x gathered (table rows, composed word
    /// vectors, the character feature computed or taken from the feature cache) and multiplied out in one GEMM.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void TokenProducts(Buffers b, ReadOnlySpan<int> ids, int batch, Span<int> offsets)
    {
        var t = _tokens!;
        var ws = b.Workspace;
        int c = _c, h = _h, stride = _stride, width = c * h, words = batch * c, slotWidth = t.Dim;
        int stamp = b.Stamp, mask = b.Hash.Length - 1;
        var word = b.Word;     // word slot (B·C) → its distinct token in this batch
        var source = b.Source; // distinct token → its first word slot
        var at = b.At;         // distinct token → its products for slot 0: cache offset, or ~scratch offset
        int distinct = 0;
        for (int w = 0; w < words; w++)
        {
            var token = ids.Slice(w * stride, stride);
            int prev = w - c + 1; // the same token one window earlier
            if (w >= c && w % c < c - 1 && token.SequenceEqual(ids.Slice(prev * stride, stride)))
            {
                word[w] = word[prev];
                continue;
            }
            uint hash = 2166136261; // FNV-1a over the ids
            foreach (int id in token) hash = (hash ^ (uint)id) * 16777619;
            for (int q = (int)(hash & (uint)mask); ; q = (q + 1) & mask)
            {
                if (b.HashStamp[q] != stamp)
                {
                    b.HashStamp[q] = stamp;
                    b.Hash[q] = distinct;
                    source[distinct] = w;
                    word[w] = distinct++;
                    break;
                }
                int d = b.Hash[q];
                if (token.SequenceEqual(ids.Slice(source[d] * stride, stride)))
                {
                    word[w] = d;
                    break;
                }
            }
        }
        int misses = 0;
        for (int d = 0; d < distinct; d++)
        {
            var token = ids.Slice(source[d] * stride, stride);
            if (_tokenRows.TryGet(token, out int r)) // a row is published after its products
            {
                at[d] = r * width;
                continue;
            }
            at[d] = ~(misses * width);
            b.Reserve(++misses * width, misses * slotWidth);
            b.Rows[misses - 1] = d;
            Slot(b.Gathered.AsSpan((misses - 1) * slotWidth, slotWidth), token, ws);
        }
        if (misses > 0)
        {
            // products (n, C·H) = x (n, S) · W_slotᵀ (S, C·H), then kept while the cache has room.
            var products = b.Scratch.AsSpan(0, misses * width);
            t.MultiplyOut(products, b.Gathered.AsSpan(0, misses * slotWidth), misses);
            var region = t.Region;
            for (int q = 0; q < misses; q++)
            {
                if (Volatile.Read(ref region.Filled) >= region.Capacity) break;
                int r = Interlocked.Increment(ref region.Filled) - 1;
                if (r >= region.Capacity) break;
                products.Slice(q * width, width).CopyTo(_cache.AsSpan(r * width, width));
                _tokenRows.Add(ids.Slice(source[b.Rows[q]] * stride, stride), r);
            }
        }
        for (int w = 0; w < words; w++)
        {
            int o = at[word[w]], slot = (w % c) * h;
            offsets[w] = o >= 0 ? o + slot : ~(~o + slot);
        }
    }

    /// <summary>
    /// x (S): one token's slot, as the network lays it out: each table's row (a composed vector for a word id past the
    /// word table) and the character feature r after them.
    /// </summary>
    private void Slot(Span<float> x, ReadOnlySpan<int> token, WindowModel<float>.Workspace ws)
    {
        var values = _net.Parameters.Values;
        var slots = _net.Tables;
        var sub = _net.Subwords;
        int offset = 0;
        for (int k = 0; k < _f; k++)
        {
            var table = slots[k].Table;
            int id = token[_columns[k]], d = table.Cols;
            var row = k == 0 && sub is not null && id >= sub.First ? sub.Row(id) : values.AsSpan(table.Offset + id * d, d);
            row.CopyTo(x.Slice(slots[k].SlotOffset, d));
            offset = slots[k].SlotOffset + d;
        }
        if (_net.Config.CharCnn is not { } ch) return;
        var p = _net.Parameters;
        var chars = token.Slice(ch.Column, ch.MaxLength);
        var feature = x.Slice(offset, ch.Filters);
        if (_charCache is not null && _charCache.TryGet(chars, feature)) return;
        CharConvolution<float>.Forward(feature, ws.CharArg.AsSpan(0, ch.Filters), ws.CharZ, ws.CharU, chars, p.Value(_wchr!), p.Value(_w0!), p.Value(_b0!), ch.Dim, ch.Width, ch.Filters);
        _charCache?.Add(chars, feature);
    }

    /// <summary>
    /// Copies rows just multiplied out into free cache rows and publishes each (its rank) after its products, while the
    /// cache has room. Two threads that race on a row both copy it, and the first rank published stays.
    /// </summary>
    private void Keep(Table t, ReadOnlySpan<float> products, ReadOnlySpan<int> rows)
    {
        int width = _c * _h, cacheOffset = (int)t.Region.Offset;
        var region = t.Region;
        for (int q = 0; q < rows.Length; q++)
        {
            if (Volatile.Read(ref region.Filled) >= region.Capacity) return;
            int r = Interlocked.Increment(ref region.Filled) - 1;
            if (r >= region.Capacity) return;
            products.Slice(q * width, width).CopyTo(_cache.AsSpan(cacheOffset + r * width, width));
            Interlocked.CompareExchange(ref t.Rank[rows[q]], r, -1);
        }
    }

    /// <summary>z (B, H): z_i = b1 + the C·F (or C tokens') rows of window i, from the cache (offset ≥ 0) or this batch's scratch (~offset).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void SumWindows(float[] z, float[] scratch, ReadOnlySpan<int> offsets, int batch)
    {
        int h = _h, rows = _c * _perSlot;
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

    /// <summary>A part of the cache: <see cref="Capacity"/> rows of (C, H) from <see cref="Offset"/>, the first <see cref="Filled"/> taken.</summary>
    private sealed class Region(long offset, int capacity)
    {
        public long Offset { get; } = offset;
        public int Capacity { get; } = capacity;
        public int Filled; // rows taken (may pass Capacity by the racing threads' count)
    }

    /// <summary>One feature table (or whole tokens, d = S, no rows of their own): which rows are cached, where, and W_f laid out by slot.</summary>
    private sealed class Table(int offset, int dim, int size, Region region, int slotsTimesHidden, bool complete)
    {
        public int Offset { get; } = offset;           // the table's first value in the parameter buffer
        public int Dim { get; } = dim;
        public int Size { get; } = size;
        public Region Region { get; } = region;        // where its cached rows go
        public bool Complete { get; } = complete;      // every row cached from the start
        public int[] Rank { get; } = Uncached(size);   // row → cache row in the region, −1 when not cached
        public float[] W { get; } = new float[slotsTimesHidden * dim]; // W_fᵀ (d, C·H): column (c, i) = W[i, c·S + offset_f …)

        /// <summary>W_fᵀ (d, C·H) from W (H, C·S): column (c, i) = W[i, c·S + slotOffset + j], so one GEMM (no packing) gives a row's products for every slot.</summary>
        public void Lay(ReadOnlySpan<float> w1, int input, int slotWidth, int slotOffset, int slots, int hidden)
        {
            for (int c = 0; c < slots; c++)
                for (int i = 0; i < hidden; i++)
                    for (int j = 0; j < Dim; j++) W[j * slots * hidden + c * hidden + i] = w1[i * input + c * slotWidth + slotOffset + j];
        }

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
            Offsets = new int[maxBatch * tagger._c * tagger._perSlot];
            Seen = tagger._tables.Select(t => t.Complete ? [] : new int[t.Size]).ToArray();
            Local = tagger._tables.Select(t => t.Complete ? [] : new int[t.Size]).ToArray();
            if (tagger._tokens is not null)
            {
                int slots = maxBatch * tagger._c;
                Word = new int[slots];
                Source = new int[slots];
                At = new int[slots];
                Hash = new int[(int)BitOperations.RoundUpToPowerOf2((uint)(2 * slots))]; // at most half full
                HashStamp = new int[Hash.Length];
            }
        }

        public WindowModel<float>.Workspace Workspace { get; }

        internal int[] Offsets { get; }
        internal int[] Ids { get; }     // a batch's window ids (B, C, F), for callers that gather them here
        internal int[] Lengths { get; } // the lengths of a batch's sentences
        internal int[][] Seen { get; }
        internal int[][] Local { get; }
        internal int Stamp { get; set; }
        internal int[] Word { get; } = [];      // cached tokens: each word slot's distinct token (B·C)
        internal int[] Source { get; } = [];    // each distinct token's first word slot
        internal int[] At { get; } = [];        // each distinct token's products
        internal int[] Hash { get; } = [];      // open addressing over the tokens' ids: a distinct token
        internal int[] HashStamp { get; } = []; // the batch that wrote each hash entry
        internal int[] Rows => _rows;       // the table row (or distinct token) of each scratch row
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
