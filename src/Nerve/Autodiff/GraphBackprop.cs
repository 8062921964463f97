using System.Numerics;
using Nerve.Model;

namespace Nerve.Autodiff;

/// <summary>
/// The second opinion on <see cref="ManualBackprop{T}"/>: the same window network and loss (softmax, sigmoid or CRF), built on the computation
/// graph for every batch and differentiated by <see cref="Node{T}.Backward"/>, with no hand-derived gradient.
/// x = L[w(t−m)] ⊕ … ⊕ L[w(t+m)];  z_l = W_l a_{l−1} + b_l, h_l = f(z_l);  s = U h_n + b_{n+1};
/// J = scale · Σ CE(s, y) + λ/2 Σ‖W‖². The parameters are leaves viewing the model's flat buffer, and the gradient
/// lands in the same flat layout, embedding rows included (only those looked up).
/// </summary>
public sealed class GraphBackprop<T> : IBackprop<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _grad;          // ∂J/∂θ of the current batch, parameter layout; zero between calls
    private readonly Node<T>[] _leaves;  // one leaf per parameter block, in block order
    private readonly Dictionary<string, Node<T>> _leaf; // the same leaves by block name
    private readonly RowSet[] _rows;     // per embedding table, the rows the lookups wrote
    private readonly int _maxBatch;
    private double _inputDropout, _hiddenDropout;
    private ulong _dropoutSeed;

    /// <param name="model">The network whose parameters the leaves view.</param>
    /// <param name="maxBatch">The largest batch <see cref="LossAndGradient"/> is given (as for <see cref="ManualBackprop{T}"/>).</param>
    public GraphBackprop(WindowModel<T> model, int maxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        Model = model;
        _maxBatch = maxBatch;
        var p = model.Parameters;
        _grad = new T[p.Count];
        // Biases and transitions are vectors (A row-major, K·K, as Ops.CrfLoss reads it); weights and tables matrices.
        _leaves = p.Blocks.Select(b => b.Kind is ParameterKind.Bias or ParameterKind.Transition
            ? Node<T>.View(p.Values, _grad, b.Offset, 1, 1, b.Length, b.Name)
            : Node<T>.View(p.Values, _grad, b.Offset, 2, b.Rows, b.Cols, b.Name)).ToArray();
        _leaf = _leaves.ToDictionary(l => l.Name!, StringComparer.Ordinal);
        _rows = model.Config.Features.Select(f => new RowSet(f.Size)).ToArray();
    }

    public WindowModel<T> Model { get; }

    /// <summary>False: the graph engine is the second opinion, so batch-1 SGD runs it rather than the fused hand-derived step.</summary>
    public bool Fusable => false;

    /// <summary>Dropout as a constant mask multiplied in (× switches: the gradient is masked the same way); masks as the manual engine's.</summary>
    public void SetDropout(double input, double hidden, ulong seed)
    {
        _inputDropout = input;
        _hiddenDropout = hidden;
        _dropoutSeed = seed;
    }

    private Node<T> Drop(Node<T> a, double p, int stream, string name)
    {
        if (p <= 0) return a;
        var mask = new T[a.Data.Length];
        Dropout.Mask<T>(mask, p, _dropoutSeed, stream);
        return Named(Ops.Multiply(a, Node<T>.Matrix(mask, a.Rows, a.Cols, "mask")), name);
    }

    /// <summary>The parameter leaves, one per block of <see cref="WindowModel{T}.Parameters"/>, named like the blocks.</summary>
    public IReadOnlyList<Node<T>> ParameterNodes => _leaves;

    /// <summary>
    /// Builds (and evaluates forward) the graph of J for <paramref name="batch"/> windows: ids (B, C, F), labels (B).
    /// The embedding tables take gradients only where <paramref name="trainTable"/> is set.
    /// </summary>
    public WindowGraph<T> Build(ReadOnlySpan<int> ids, ReadOnlySpan<int> labels, int batch, T scale, T l2, ReadOnlySpan<bool> trainTable)
    {
        var cfg = Model.Config;
        int c = cfg.Window, f = cfg.Features.Count, n = Model.Depth, stride = cfg.IdsPerToken;
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batch, _maxBatch);
        if (ids.Length < batch * c * stride || labels.Length < batch || trainTable.Length != f)
            throw new ArgumentException($"a batch of {batch} needs {batch * c * stride} ids, {batch} labels and {f} table flags");

        // x = L[w(t−m)] ⊕ … ⊕ L[w(t+m)]: one lookup per table over all B·C slots, the tables side by side in each slot.
        var lookups = new Node<T>[f + (cfg.CharCnn is null ? 0 : 1)];
        for (int k = 0; k < f; k++)
        {
            var table = Leaf(WindowModel<T>.TableName(cfg, k));
            table.RequiresGrad = trainTable[k];
            var rows = new int[batch * c];
            for (int i = 0; i < rows.Length; i++) rows[i] = ids[i * stride + cfg.Column(k)];
            lookups[k] = Ops.Gather(table, rows, _rows[k]);
            lookups[k].Name = table.Name + "[w]";
        }
        if (cfg.CharCnn is { } cc) lookups[f] = CharFeatures(cc, ids, batch * c, stride);
        var slots = lookups.Length == 1 ? lookups[0] : Ops.Concat(lookups);
        var a = Drop(Named(Ops.Reshape(slots, 2, batch, cfg.InputDim), "x"), _inputDropout, 0, "x̃");

        // z_l = W_l a_{l−1} + b_l, h_l = f(z_l) (seed: z = Wx + b, h = f(z)).
        string inputName = "x";
        for (int l = 0; l < n; l++)
        {
            string suffix = n == 1 ? "" : (l + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var w = Leaf(WindowModel<T>.WeightName(n, l));
            var product = Named(Ops.MatMulTransposed(a, w), w.Name + inputName);
            var z = Named(Ops.Add(product, Leaf(WindowModel<T>.BiasName(l))), "z" + suffix);
            a = Named(Ops.Activation(z, cfg.Activation), "h" + suffix);
            inputName = a.Name!;
            a = Drop(a, _hiddenDropout, l + 1, "h̃" + suffix);
        }

        // s = U h + b_{n+1}; J = scale · Σ CE(s, y).
        var u = Leaf("U");
        var s = Named(Ops.Add(Named(Ops.MatMulTransposed(a, u), "U" + inputName), Leaf(WindowModel<T>.BiasName(n))), "s");
        var (loss, lossName) = Loss(Model.Head, s, labels[..batch].ToArray(), batch);
        var ce = Named(loss, lossName);
        var j = scale == T.One ? ce : Ops.Scale(ce, scale);

        // + λ/2 Σ‖W‖² over the weight matrices only (PA4 §3.6).
        if (l2 != T.Zero)
        {
            Node<T>? norms = null;
            foreach (var (block, leaf) in Model.Parameters.Blocks.Zip(_leaves))
            {
                if (block.Kind != ParameterKind.Weight) continue;
                var sq = Named(Ops.SquaredNorm(leaf), $"‖{leaf.Name}‖²");
                norms = norms is null ? sq : Ops.Add(norms, sq);
            }
            j = Ops.Add(j, Named(Ops.Scale(norms!, l2 / (T.One + T.One)), "λ/2 Σ‖W‖²"));
        }
        j.Name = "J";
        return new WindowGraph<T>(j, ce);
    }

    /// <summary>
    /// The character feature of each of <paramref name="words"/> word slots, (words, F), from gathers, a product and a max:
    /// z_m = Wchr[c_m] ⊕ … ⊕ Wchr[c_{m+k−1}] (one gather of every window's characters, reshaped to rows of k·d),
    /// u_m = W0 z_m + b0, r = max_m u_m over each word's windows (CharWNN, dos Santos &amp; Guimarães 2015).
    /// </summary>
    private Node<T> CharFeatures(CharCnnConfig cc, ReadOnlySpan<int> ids, int words, int stride)
    {
        var runs = new int[words];
        var rows = new List<int>();
        for (int w = 0; w < words; w++)
        {
            var chars = ids.Slice(w * stride + cc.Column, cc.MaxLength);
            runs[w] = CharConvolution<T>.Positions(chars, cc.Width);
            for (int p = 0; p < runs[w]; p++)
                for (int j = 0; j < cc.Width; j++) rows.Add(chars[p + j]);
        }
        var gathered = Named(Ops.Gather(Leaf(WindowModel<T>.CharTableName), rows.ToArray()), "Wchr[c]");
        var z = Named(Ops.Reshape(gathered, 2, gathered.Rows / cc.Width, cc.Width * cc.Dim), "zchr");
        var u = Named(Ops.Add(Ops.MatMulTransposed(z, Leaf("W0")), Leaf("b0")), "u");
        return Named(Ops.MaxOverRuns(u, runs), "r");
    }

    public T LossAndGradient(ReadOnlySpan<int> ids, ReadOnlySpan<int> labels, int batch, T scale, T l2, Span<T> gradients, RowSet[] touched, ReadOnlySpan<bool> trainTable)
    {
        var graph = Build(ids, labels, batch, scale, l2, trainTable);
        T loss = graph.CrossEntropy.Data[0];
        graph.J.Backward();

        // Hand the batch's gradient over in the flat layout: dense blocks whole, embedding tables row by row.
        Model.Parameters.MoveGradients(_grad, _rows, gradients, touched, Model.Tables);
        return loss;
    }

    /// <summary>The leaf viewing the parameter block <paramref name="name"/>.</summary>
    public Node<T> Leaf(string name) => _leaf.TryGetValue(name, out var leaf) ? leaf : throw new KeyNotFoundException($"no parameter block '{name}'");

    /// <summary>
    /// The graph form of the model's head loss, with its name in the graph. The model knows no graph (Model comes before
    /// Autodiff), so the mapping from head type to graph loss lives here.
    /// </summary>
    private (Node<T> Loss, string Name) Loss(IHead<T> head, Node<T> s, int[] y, int batch) => head switch
    {
        SoftmaxHead<T> => (Ops.SoftmaxCrossEntropy(s, y), "CE"),
        SigmoidHead<T> => (Ops.SigmoidCrossEntropy(s, y), "CE"),
        CrfHead<T> crf => (Ops.CrfLoss(s, Leaf("A"), Leaf("a0"), Leaf("an"), y, batch, crf.Width), "−log P(y)"), // the batch is one sentence
        _ => throw new NotSupportedException($"the graph engine has no loss for the {head.Traits.Name} head"),
    };

    private static Node<T> Named(Node<T> node, string name)
    {
        node.Name = name;
        return node;
    }
}
