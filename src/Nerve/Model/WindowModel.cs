using System.Numerics;
using System.Numerics.Tensors;
using Nerve.Numerics;

namespace Nerve.Model;

/// <summary>
/// The window network of PA4 / Collobert et al., to any depth:
/// x = L[w(t−m)] ⊕ … ⊕ L[w(t+m)];  z_l = W_l a_{l−1} + b_l, a_l = f(z_l);  s = U a_n + b_{n+1};  J = CE(s, y) + λ/2 Σ‖W‖².
/// Forward and backward are written out by hand from seed equations 1a–1d and 2a–3e; the CRF head (Collobert §3.3.2) is in <see cref="Crf{T}"/>.
/// Parameter blocks follow the seed's names: L, W, b1, U, b2 for one hidden layer; W1, b1, …, Wn, bn, U, b(n+1) for n.
/// </summary>
public sealed class WindowModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly EmbeddingSlot[] _slots;
    private readonly ParameterBlock[] _w;
    private readonly ParameterBlock[] _b;
    private readonly ParameterBlock _u;
    private readonly ParameterBlock _bOut;
    private readonly int[] _width; // width[0] = input, width[l] = hidden l
    private readonly int _slotWidth; // Config.SlotWidth, a LINQ sum: cached so a step allocates nothing
    private readonly int _stride;    // ids per token: one per table, plus the character ids
    private readonly CharCnnConfig? _char;
    private readonly ParameterBlock? _wchr, _w0, _b0; // the character convolution's Wchr (A, d), W0 (F, k·d), b0 (F)
    private readonly int _charOffset; // where r sits in a slot: after the tables

    public WindowModel(ModelConfig config) : this(config, null) { }

    private WindowModel(ModelConfig config, Parameters<T>? parameters)
    {
        config.Validate();
        Config = config;
        int n = config.Hidden.Count;
        _width = [config.InputDim, .. config.Hidden];
        _slotWidth = config.SlotWidth;
        _stride = config.IdsPerToken;
        Parameters = parameters ?? new Parameters<T>(Layout(config));
        _slots = new EmbeddingSlot[config.Features.Count];
        int offset = 0;
        for (int k = 0; k < _slots.Length; k++)
        {
            _slots[k] = new EmbeddingSlot(Parameters[TableName(config, k)], offset, config.Column(k));
            offset += config.Features[k].Dim;
        }
        _charOffset = offset;
        _char = config.CharCnn;
        if (_char is not null)
        {
            _wchr = Parameters[CharTableName];
            _w0 = Parameters["W0"];
            _b0 = Parameters["b0"];
        }
        _w = new ParameterBlock[n];
        _b = new ParameterBlock[n];
        for (int l = 0; l < n; l++)
        {
            _w[l] = Parameters[WeightName(n, l)];
            _b[l] = Parameters[BiasName(l)];
        }
        _u = Parameters["U"];
        _bOut = Parameters[BiasName(n)];
        Head = Heads.Create(config, Parameters);
    }

    /// <summary>The output head over the scores (softmax, sigmoid or CRF), built once from the configuration.</summary>
    public IHead<T> Head { get; }

    public ModelConfig Config { get; }

    public Parameters<T> Parameters { get; }

    public int Depth => _w.Length;

    /// <summary>The embedding tables in slot order (the word table L first).</summary>
    public ReadOnlySpan<EmbeddingSlot> Tables => _slots;

    /// <summary>A model with this architecture over existing parameters (used to load and to convert precision).</summary>
    public static WindowModel<T> FromParameters(ModelConfig config, Parameters<T> parameters) => new(config, parameters);

    /// <summary>The character convolution, or null.</summary>
    public CharCnnConfig? CharCnn => _char;

    /// <summary>
    /// Fixed vectors for word ids past the word table (words outside the vocabulary, composed from their n-grams), or
    /// null. Only the forward pass reads them: training featurizes every training word into the table.
    /// </summary>
    public Features.SubwordLexicon? Subwords { get; set; }

    /// <summary>The character table's block: CharWNN's Wchr.</summary>
    public const string CharTableName = "Wchr";

    /// <summary>Name of embedding table k: "L" for the word table, "L_name" for the others.</summary>
    public static string TableName(ModelConfig config, int k) => k == 0 ? "L" : "L_" + config.Features[k].Name;

    /// <summary>Name of hidden layer l's weights (l from 0): "W" for one hidden layer, "W1" … "Wn" for n.</summary>
    public static string WeightName(int depth, int l) => depth == 1 ? "W" : $"W{l + 1}";

    /// <summary>Name of layer l's bias (l from 0; l = depth is the output layer's): "b1" … "b(n+1)".</summary>
    public static string BiasName(int l) => $"b{l + 1}";

    /// <summary>The parameter blocks in order, with their shapes.</summary>
    public static IEnumerable<(string, ParameterKind, int, int)> Layout(ModelConfig config)
    {
        for (int k = 0; k < config.Features.Count; k++)
            yield return (TableName(config, k), ParameterKind.Embedding, config.Features[k].Size, config.Features[k].Dim); // (V, d)
        int n = config.Hidden.Count;
        int inDim = config.InputDim;
        for (int l = 0; l < n; l++)
        {
            yield return (WeightName(n, l), ParameterKind.Weight, config.Hidden[l], inDim); // (H_l, in)
            yield return (BiasName(l), ParameterKind.Bias, 1, config.Hidden[l]);           // (H_l)
            inDim = config.Hidden[l];
        }
        yield return ("U", ParameterKind.Weight, config.OutputDim, inDim);  // (K, H_n)
        yield return (BiasName(n), ParameterKind.Bias, 1, config.OutputDim); // (K)
        foreach (var block in Heads.Layout(config)) yield return block; // the head's own (the CRF's A, a0, an)
        if (config.CharCnn is { } c)
        {
            yield return (CharTableName, ParameterKind.DenseTable, c.Alphabet, c.Dim);  // (A, d) character embeddings
            yield return ("W0", ParameterKind.Weight, c.Filters, c.Width * c.Dim);     // (F, k·d) filters
            yield return ("b0", ParameterKind.Bias, 1, c.Filters);                     // (F)
        }
    }

    /// <summary>
    /// PA4 eq. 7: W and U uniform in ±√6/√(fanIn + fanOut), biases zero; embedding tables uniform in ±<paramref name="embeddingScale"/>
    /// (pretrained vectors are copied over them afterwards).
    /// </summary>
    public void Initialize(Random rng, double embeddingScale = 0.1)
    {
        foreach (var b in Parameters.Blocks)
        {
            var v = Parameters.Value(b);
            double r = b.Kind switch
            {
                ParameterKind.Weight => Math.Sqrt(6.0) / Math.Sqrt(b.Rows + b.Cols),
                ParameterKind.Embedding or ParameterKind.DenseTable => embeddingScale,
                _ => 0,
            };
            for (int i = 0; i < v.Length; i++)
                v[i] = r == 0 ? T.Zero : T.CreateTruncating((rng.NextDouble() * 2 - 1) * r);
        }
    }

    /// <summary>Buffers for batches of up to <paramref name="maxBatch"/> windows; one per thread.</summary>
    public Workspace CreateWorkspace(int maxBatch) => new(this, maxBatch);

    /// <summary>
    /// The network up to the scores: x = L[w(t−m)] ⊕ … ⊕ L[w(t+m)], z = Wx + b1, h = f(z), …, s = Uh + b2, for
    /// <paramref name="batch"/> windows with ids (B, C, F). With dropout set on the workspace, x and every h are
    /// multiplied by a mask of 0 and 1/(1 − p) (inverted dropout) before the next layer.
    /// </summary>
    public void Scores(Workspace ws, ReadOnlySpan<int> ids, int batch)
    {
        var values = Parameters.Values;
        var x = ws.X.AsSpan(0, batch * _width[0]);
        if (Subwords is { } sub && Composed(ids, batch, sub.First))
            ComposedWords(ws, ids, batch, x, sub);
        else
            WindowEmbedding<T>.Forward(x, ids, values, _slots, batch, Config.Window, _slotWidth, _stride);
        if (_char is not null) CharFeatures(ws, ids, batch, x);
        if (ws.InputDropout > 0)
        {
            Dropout.Mask(ws.MaskX.AsSpan(0, x.Length), ws.InputDropout, ws.DropoutSeed, 0);
            TensorPrimitives.Multiply(x, ws.MaskX.AsSpan(0, x.Length), x);
        }
        var z1 = ws.Z[0].AsSpan(0, batch * _width[1]);
        Linear<T>.Forward(z1, x, Parameters.Value(_w[0]), Parameters.Value(_b[0]), batch, _width[0], _width[1]); // z = Wx + b1
        ScoresFromFirstLayer(ws, batch);
    }

    /// <summary>Whether any word id of the batch is past the word table (a composed vector).</summary>
    private bool Composed(ReadOnlySpan<int> ids, int batch, int first)
    {
        int column = _slots[0].Column;
        for (int w = 0; w < batch * Config.Window; w++)
            if (ids[w * _stride + column] >= first) return true;
        return false;
    }

    /// <summary>
    /// The window lookup when some words are composed: x as <see cref="WindowEmbedding{T}.Forward"/> gives it with their
    /// ids read as 0, then their word slots overwritten with the composed vectors (seed: x_t is the word's vector,
    /// wherever it comes from).
    /// </summary>
    private void ComposedWords(Workspace ws, ReadOnlySpan<int> ids, int batch, Span<T> x, Features.SubwordLexicon sub)
    {
        int words = batch * Config.Window, column = _slots[0].Column, dim = _slots[0].Table.Cols;
        if (ws.SafeIds.Length < ids.Length) ws.SafeIds = new int[ws.MaxBatch * Config.Window * _stride]; // once per workspace
        var safe = ws.SafeIds.AsSpan(0, batch * Config.Window * _stride);
        ids[..safe.Length].CopyTo(safe);
        for (int w = 0; w < words; w++)
            if (safe[w * _stride + column] >= sub.First) safe[w * _stride + column] = 0;
        WindowEmbedding<T>.Forward(x, safe, Parameters.Values, _slots, batch, Config.Window, _slotWidth, _stride);
        for (int w = 0; w < words; w++)
        {
            int id = ids[w * _stride + column];
            if (id < sub.First) continue;
            var row = sub.Row(id);
            var slot = x.Slice(w * _slotWidth + _slots[0].SlotOffset, dim);
            for (int j = 0; j < dim; j++) slot[j] = T.CreateTruncating(row[j]);
        }
    }

    /// <summary>
    /// Each slot's character feature r = max_m (W0 z_m + b0) (<see cref="CharConvolution{T}"/>) into its place in x
    /// (B, C·S), word by word. Consecutive windows of a sentence share C − 1 words: slot c of window i is slot c + 1 of
    /// window i − 1, and when their characters match, r and the winners are copied from there (the same values the
    /// convolution would give). With a cache on the workspace, words already seen are looked up instead.
    /// </summary>
    private void CharFeatures(Workspace ws, ReadOnlySpan<int> ids, int batch, Span<T> x)
    {
        var c = _char!;
        var wchr = Parameters.Value(_wchr!);
        var w0 = Parameters.Value(_w0!);
        var b0 = Parameters.Value(_b0!);
        var cache = ws.CharCache;
        int window = Config.Window, words = batch * window, filters = c.Filters;
        for (int w = 0; w < words; w++)
        {
            var chars = ids.Slice(w * _stride + c.Column, c.MaxLength);
            var r = x.Slice(w * _slotWidth + _charOffset, filters);
            var arg = ws.CharArg.AsSpan(w * filters, filters);
            int prev = w - window + 1; // the same token one window earlier
            if (w >= window && w % window < window - 1 && chars.SequenceEqual(ids.Slice(prev * _stride + c.Column, c.MaxLength)))
            {
                x.Slice(prev * _slotWidth + _charOffset, filters).CopyTo(r);
                ws.CharArg.AsSpan(prev * filters, filters).CopyTo(arg);
                ws.CharSource[w] = ws.CharSource[prev];
                continue;
            }
            ws.CharSource[w] = w;
            if (cache is not null && cache.TryGet(chars, r)) continue;
            CharConvolution<T>.Forward(r, arg, ws.CharZ, ws.CharU, chars, wchr, w0, b0, c.Dim, c.Width, filters);
            cache?.Add(chars, r);
        }
    }

    /// <summary>
    /// The rest of <see cref="Scores"/> once z1 (B, H1) is in ws.Z[0] (the tagger's precomputed first layer writes it
    /// there): h = f(z), the further layers, s = Uh + b2.
    /// </summary>
    public void ScoresFromFirstLayer(Workspace ws, int batch)
    {
        ReadOnlySpan<T> input = default;
        for (int l = 0; l < Depth; l++)
        {
            int h = _width[l + 1];
            var z = ws.Z[l].AsSpan(0, batch * h);
            if (l > 0) Linear<T>.Forward(z, input, Parameters.Value(_w[l]), Parameters.Value(_b[l]), batch, _width[l], h); // z_l = W_l h_{l−1} + b_l
            var a = ws.A[l].AsSpan(0, batch * h);
            Activation<T>.Forward(a, z, Config.Activation); // h = f(z)
            input = a;
            if (ws.HiddenDropout > 0)
            {
                var mask = ws.MaskA[l].AsSpan(0, batch * h);
                Dropout.Mask(mask, ws.HiddenDropout, ws.DropoutSeed, l + 1);
                var dropped = ws.AD[l].AsSpan(0, batch * h);
                TensorPrimitives.Multiply(a, mask, dropped);
                input = dropped;
            }
        }
        int k = Config.OutputDim;
        var s = ws.S.AsSpan(0, batch * k);
        Linear<T>.Forward(s, input, Parameters.Value(_u), Parameters.Value(_bOut), batch, _width[Depth], k); // s = Uh + b2
    }

    /// <summary>
    /// Forward pass over <paramref name="batch"/> windows. ids (B, C, F); labels (B) or empty to only score.
    /// Leaves x, z, h, s and p in the workspace and returns the summed data loss (no L2 term): Σ_batch CE for the
    /// softmax and sigmoid heads; for the CRF head the batch is ONE sentence and p holds the marginals P(y_t = j).
    /// </summary>
    public T Forward(Workspace ws, ReadOnlySpan<int> ids, ReadOnlySpan<int> labels, int batch)
    {
        Scores(ws, ids, batch);
        return Head.Forward(ws, labels, batch);
    }

    /// <summary>
    /// Backward pass after <see cref="Forward"/> on the same batch, for J = scale · Σ_batch CE + λ/2 Σ‖W‖²
    /// (scale = 1/B for the batch mean; a data-parallel worker passes 1/B of the whole batch and λ = 0 but for one worker).
    /// Accumulates (+=) into <paramref name="gradients"/> (the layout of <see cref="Parameters"/>); embedding rows are
    /// written only for the tables with <paramref name="trainTable"/> set, and recorded in <paramref name="touched"/>.
    /// </summary>
    public void Backward(Workspace ws, ReadOnlySpan<int> ids, ReadOnlySpan<int> labels, int batch, T scale, T l2, Span<T> gradients, RowSet[] touched, ReadOnlySpan<bool> trainTable)
    {
        int k = Config.OutputDim;
        ws.DS.AsSpan(0, batch * k).Clear();
        Head.Backward(ws, labels, batch, scale, gradients); // δ3 = ∂J/∂s (eq. 2a for softmax and sigmoid)
        BackwardFromScores(ws, ids, batch, l2, gradients, touched, trainTable);
    }

    /// <summary>
    /// Backpropagates ∂J/∂s (in the workspace's DS) through the network: seed eq. 1a–1d, 2b–3e.
    /// </summary>
    public void BackwardFromScores(Workspace ws, ReadOnlySpan<int> ids, int batch, T l2, Span<T> gradients, RowSet[] touched, ReadOnlySpan<bool> trainTable)
    {
        int k = Config.OutputDim;
        var ds = ws.DS.AsSpan(0, batch * k);
        // Output layer: ∂J/∂U = δ3 hᵀ (3a), ∂J/∂b2 = δ3 (3c), ∂J/∂h = Uᵀ δ3.
        int top = _width[Depth];
        var daTop = ws.DA[Depth - 1].AsSpan(0, batch * top);
        daTop.Clear();
        Linear<T>.Backward(daTop, Slice(gradients, _u), Slice(gradients, _bOut), ds, LayerOutput(ws, Depth - 1, batch), Parameters.Value(_u), batch, top, k);

        bool anyTable = false;
        foreach (bool t in trainTable) anyTable |= t;
        bool needDx = anyTable || _char is not null; // r's gradient is its slice of ∂J/∂x
        for (int l = Depth - 1; l >= 0; l--)
        {
            int h = _width[l + 1];
            var dz = ws.DZ[l].AsSpan(0, batch * h);
            // δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ f′(z_l) (eq. 1b, 2b), through the dropout mask.
            HiddenDelta<T>.Compute(dz, ws.DA[l].AsSpan(0, batch * h), ws.HiddenDropout > 0 ? ws.MaskA[l].AsSpan(0, batch * h) : [],
                ws.Z[l].AsSpan(0, batch * h), ws.A[l].AsSpan(0, batch * h), Config.Activation);
            ReadOnlySpan<T> input = l == 0 ? ws.X.AsSpan(0, batch * _width[0]) : LayerOutput(ws, l - 1, batch);
            Span<T> dInput = l > 0 ? ws.DA[l - 1].AsSpan(0, batch * _width[l]) : needDx ? ws.DX.AsSpan(0, batch * _width[0]) : [];
            dInput.Clear();
            // ∂J/∂W_l = δ_l h_{l−1}ᵀ (1d, 3b), ∂J/∂b_l = δ_l (1c, 3d), ∂J/∂h_{l−1} = W_lᵀ δ_l (1b, 2c).
            Linear<T>.Backward(dInput, Slice(gradients, _w[l]), Slice(gradients, _b[l]), dz, input, Parameters.Value(_w[l]), batch, _width[l], h);
        }

        if (needDx)
        {
            // ∂J/∂L = Wᵀ δ2, slot by slot (eq. 3e), through the input mask.
            var dx = ws.DX.AsSpan(0, batch * _width[0]);
            if (ws.InputDropout > 0) TensorPrimitives.Multiply(dx, ws.MaskX.AsSpan(0, dx.Length), dx);
            for (int t = 0; t < _slots.Length; t++)
            {
                if (!trainTable[t]) continue;
                WindowEmbedding<T>.Backward(gradients, dx, ids, _slots, touched, batch, Config.Window, _slotWidth, t, _stride);
            }
            if (_char is { } c)
            {
                // ∂J/∂r is r's slice of ∂J/∂x; max routes it to each filter's winning window (CharConvolution). A slot
                // whose r was copied from an earlier one (CharFeatures) adds its ∂J/∂r there first (gradients sum where a
                // value fans out), so each convolved word is differentiated once; copies come after their source.
                var wchr = Parameters.Value(_wchr!);
                var w0 = Parameters.Value(_w0!);
                var dWchr = Slice(gradients, _wchr!);
                var dW0 = Slice(gradients, _w0!);
                var db0 = Slice(gradients, _b0!);
                int words = batch * Config.Window;
                for (int w = words - 1; w >= 0; w--)
                {
                    var dr = dx.Slice(w * _slotWidth + _charOffset, c.Filters);
                    int source = ws.CharSource[w];
                    if (source != w)
                    {
                        var to = dx.Slice(source * _slotWidth + _charOffset, c.Filters);
                        TensorPrimitives.Add(to, dr, to);
                        continue;
                    }
                    CharConvolution<T>.Backward(dWchr, dW0, db0, dr, ws.CharArg.AsSpan(w * c.Filters, c.Filters),
                        ids.Slice(w * _stride + c.Column, c.MaxLength), wchr, w0, c.Dim, c.Width, c.Filters);
                }
            }
        }

        if (l2 != T.Zero)
        {
            // L2 on the weights only, biases and embeddings excluded (PA4 §3.6): ∂(λ/2‖W‖²)/∂W = λW.
            var blocks = Parameters.Blocks;
            for (int i = 0; i < blocks.Count; i++) // by index: foreach over IReadOnlyList boxes its enumerator
            {
                var b = blocks[i];
                if (b.Kind == ParameterKind.Weight)
                    TensorPrimitives.MultiplyAdd(Parameters.Value(b), l2, Slice(gradients, b), Slice(gradients, b));
            }
        }
    }

    /// <summary>The predicted class and its probability for each window after <see cref="Forward"/> without labels (<see cref="IHead{T}.Decode"/>).</summary>
    public void Decode(Workspace ws, int batch, Span<int> classes, Span<T> confidence) => Head.Decode(ws, batch, classes, confidence);

    /// <summary>
    /// Head and <see cref="Decode"/> for a batch of whole sentences after the scores (labels unknown), lengths in batch
    /// order (<see cref="IHead{T}.DecodeSentences"/>).
    /// </summary>
    public void DecodeSentences(Workspace ws, ReadOnlySpan<int> lengths, Span<int> classes, Span<T> confidence)
        => Head.DecodeSentences(ws, lengths, classes, confidence);

    /// <summary>What layer l passes on: h_l, or its dropped-out copy while training with dropout.</summary>
    private static ReadOnlySpan<T> LayerOutput(Workspace ws, int l, int batch)
    {
        int n = batch * ws.Z[l].Length / ws.MaxBatch;
        return ws.HiddenDropout > 0 ? ws.AD[l].AsSpan(0, n) : ws.A[l].AsSpan(0, n);
    }

    /// <summary>
    /// One SGD step on one window (batch 1, no L2) with the backward pass fused into the update: θ ← θ − α ∂J/∂θ for the
    /// gradients of <see cref="Backward"/> (eq. 2a–3e), which are never stored, so each weight matrix is read and written
    /// once (∂J/∂a_{l−1} = W_lᵀ δ_l is taken at the old W_l first). Equals Forward, Backward and an SGD step up to float
    /// rounding. Embedding rows of the tables with <paramref name="trainTable"/> set are updated slot by slot. Returns J.
    /// </summary>
    public T SgdStep(Workspace ws, ReadOnlySpan<int> ids, ReadOnlySpan<int> labels, T learningRate, ReadOnlySpan<bool> trainTable)
    {
        var head = Head.PerWindow;
        if (head is null || ws.InputDropout > 0 || ws.HiddenDropout > 0 || _char is not null)
            throw new InvalidOperationException("the fused SGD step covers the per-window heads (softmax, sigmoid) without dropout or character convolution");
        Scores(ws, ids, 1);
        int k = Config.OutputDim;
        var p = ws.P.AsSpan(0, k);
        T loss = head.Forward(p, ws.S.AsSpan(0, k), labels, 1);
        T step = -learningRate;
        var ds = ws.DS.AsSpan(0, k);
        ds.Clear();
        head.Backward(ds, p, labels, 1, T.One); // δ3 = p − y (eq. 2a)

        // ∂J/∂a = Uᵀ δ3 at the old U, then U ← U − α δ3 aᵀ (3a), b2 ← b2 − α δ3 (3c).
        int top = _width[Depth];
        var daTop = ws.DA[Depth - 1].AsSpan(0, top);
        daTop.Clear();
        Blas<T>.GemvTGer(Parameters.Value(_u), daTop, ds, step, ws.A[Depth - 1].AsSpan(0, top), k, top);
        var bOut = Parameters.Value(_bOut);
        TensorPrimitives.MultiplyAdd(ds, step, bOut, bOut);

        bool anyTable = false;
        foreach (bool t in trainTable) anyTable |= t;
        for (int l = Depth - 1; l >= 0; l--)
        {
            int h = _width[l + 1];
            var dz = ws.DZ[l].AsSpan(0, h);
            HiddenDelta<T>.Compute(dz, ws.DA[l].AsSpan(0, h), [], ws.Z[l].AsSpan(0, h), ws.A[l].AsSpan(0, h), Config.Activation); // δ_l (1b, 2b)
            ReadOnlySpan<T> input = l == 0 ? ws.X.AsSpan(0, _width[0]) : ws.A[l - 1].AsSpan(0, _width[l]);
            var w = Parameters.Value(_w[l]);
            // ∂J/∂a_{l−1} = W_lᵀ δ_l (1b, 2c), then W_l ← W_l − α δ_l a_{l−1}ᵀ (1d, 3b).
            if (l > 0 || anyTable)
            {
                var dInput = l > 0 ? ws.DA[l - 1].AsSpan(0, _width[l]) : ws.DX.AsSpan(0, _width[0]);
                dInput.Clear();
                Blas<T>.GemvTGer(w, dInput, dz, step, input, h, _width[l]);
            }
            else
            {
                Blas<T>.Ger(w, step, dz, input, h, _width[l]);
            }
            var b = Parameters.Value(_b[l]);
            TensorPrimitives.MultiplyAdd(dz, step, b, b); // b_l ← b_l − α δ_l (1c, 3d)
        }

        if (anyTable) SgdRows(ids, ws.DX.AsSpan(0, _width[0]), step, trainTable); // eq. 3e
        return loss;
    }

    /// <summary>
    /// L[w] ← L[w] + step · (∂J/∂x)_slot for every slot of one window, table by table and slot by slot (eq. 3e with
    /// step = −α), for the tables with <paramref name="trainTable"/> set; ids (C, F).
    /// </summary>
    internal void SgdRows(ReadOnlySpan<int> ids, ReadOnlySpan<T> dx, T step, ReadOnlySpan<bool> trainTable)
    {
        var values = Parameters.Values;
        int f = _slots.Length;
        for (int t = 0; t < f; t++)
        {
            if (!trainTable[t]) continue;
            var table = _slots[t].Table;
            for (int c = 0; c < Config.Window; c++)
            {
                var row = values.AsSpan(table.Offset + ids[c * _stride + _slots[t].Column] * table.Cols, table.Cols);
                TensorPrimitives.MultiplyAdd(dx.Slice(c * _slotWidth + _slots[t].SlotOffset, table.Cols), step, row, row);
            }
        }
    }

    /// <summary>λ/2 Σ w² over the weight blocks (the regularisation term of J).</summary>
    public T L2Penalty(T l2)
    {
        if (l2 == T.Zero) return T.Zero;
        T sum = T.Zero;
        foreach (var b in Parameters.Blocks)
            if (b.Kind == ParameterKind.Weight)
                sum += TensorPrimitives.SumOfSquares<T>(Parameters.Value(b));
        return l2 * sum / T.CreateTruncating(2);
    }

    private static Span<T> Slice(Span<T> all, ParameterBlock b) => all.Slice(b.Offset, b.Length);

    /// <summary>Activations and their gradients for one batch size; reused across batches so the hot loop allocates nothing.</summary>
    public sealed class Workspace
    {
        internal Workspace(WindowModel<T> model, int maxBatch)
        {
            MaxBatch = maxBatch;
            int n = model.Depth;
            X = new T[maxBatch * model._width[0]];
            DX = new T[maxBatch * model._width[0]];
            Z = new T[n][];
            A = new T[n][];
            DZ = new T[n][];
            DA = new T[n][];
            for (int l = 0; l < n; l++)
            {
                int h = model._width[l + 1];
                Z[l] = new T[maxBatch * h];
                A[l] = new T[maxBatch * h];
                DZ[l] = new T[maxBatch * h];
                DA[l] = new T[maxBatch * h];
            }
            int k = model.Config.OutputDim;
            S = new T[maxBatch * k];
            P = new T[maxBatch * k];
            DS = new T[maxBatch * k];
            bool lattice = model.Head.Traits.SentenceUnits; // the CRF's forward–backward and Viterbi tables
            Alpha = lattice ? new T[maxBatch * k] : [];
            Beta = lattice ? new T[maxBatch * k] : [];
            Backpointers = lattice ? new int[maxBatch * k] : [];
            MaskX = [];
            MaskA = new T[n][];
            AD = new T[n][];
            if (model._char is { } ch)
            {
                CharArg = new int[maxBatch * model.Config.Window * ch.Filters];
                CharSource = new int[maxBatch * model.Config.Window];
                CharZ = new T[ch.MaxLength * ch.Width * ch.Dim];
                CharU = new T[ch.MaxLength * ch.Filters];
            }
        }

        /// <summary>Each word slot's winning window per filter (B·C, F), for the backward pass (CharConvolution).</summary>
        public int[] CharArg { get; } = [];
        /// <summary>Per word slot (B·C), the slot whose r it copied, or itself when it was convolved.</summary>
        public int[] CharSource { get; } = [];
        public T[] CharZ { get; } = []; // one word's windows z (M, k·d)
        public T[] CharU { get; } = []; // one word's filter scores u (M, F)

        /// <summary>The batch's ids with composed word ids read as 0, for the table lookup (made on first use).</summary>
        internal int[] SafeIds { get; set; } = [];

        /// <summary>A tagger's cache of character features per word (null: compute every word, the reference path).</summary>
        public CharFeatureCache<T>? CharCache { get; set; }

        /// <summary>
        /// Turns dropout on (p &gt; 0) or off for the following passes; the masks are a pure function of
        /// (<paramref name="seed"/>, layer, position), so a pass is reproducible.
        /// </summary>
        public void SetDropout(double input, double hidden, ulong seed)
        {
            if (input < 0 || input >= 1 || hidden < 0 || hidden >= 1) throw new ArgumentOutOfRangeException(nameof(input), "dropout must be in [0, 1)");
            InputDropout = input;
            HiddenDropout = hidden;
            DropoutSeed = seed;
            if (input > 0 && MaskX.Length == 0) MaskX = new T[X.Length];
            if (hidden > 0)
                for (int l = 0; l < MaskA.Length; l++)
                    if (MaskA[l] is null)
                    {
                        MaskA[l] = new T[A[l].Length];
                        AD[l] = new T[A[l].Length];
                    }
        }

        public double InputDropout { get; private set; }
        public double HiddenDropout { get; private set; }
        public ulong DropoutSeed { get; private set; }
        public T[] MaskX { get; private set; }
        public T[][] MaskA { get; }
        public T[][] AD { get; } // dropped-out h per layer
        public T[] Alpha { get; }   // CRF forward (n, K), log space; Viterbi scores when decoding
        public T[] Beta { get; }    // CRF backward (n, K)
        public int[] Backpointers { get; }
        public T LogZ { get; set; }

        public int MaxBatch { get; }
        public T[] X { get; }   // (B, C·S)
        public T[] DX { get; }  // (B, C·S)
        public T[][] Z { get; } // per layer (B, H_l)
        public T[][] A { get; } // per layer (B, H_l)
        public T[][] DZ { get; }
        public T[][] DA { get; }
        public T[] S { get; }   // (B, K)
        public T[] P { get; }   // (B, K) probabilities
        public T[] DS { get; }  // (B, K)
    }
}
