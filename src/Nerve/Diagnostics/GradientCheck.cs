using Nerve.Features;
using Nerve.Model;

namespace Nerve.Diagnostics;

/// <summary>Settings of a finite-difference gradient check (PA4 §4.1): a small network on random windows, in double precision.</summary>
public sealed record GradientCheckOptions
{
    public int Windows { get; init; } = 10;
    public int Layers { get; init; } = 1;
    public int Hidden { get; init; } = 2;
    public OutputKind Output { get; init; } = ModelConfig.DefaultOutput;
    public ActivationKind Activation { get; init; } = ActivationKind.Tanh;
    public double L2 { get; init; }
    public int Window { get; init; } = 5;
    public int Classes { get; init; } = 5;
    public int VocabularySize { get; init; } = 20;
    public int Dim { get; init; } = 50;
    /// <summary>Windows per backward call: all of them by default (the batched path); 1 checks the per-window SGD path.</summary>
    public int Batch { get; init; }
    /// <summary>Extra embedding tables per slot (feature embeddings such as capitalisation), each 7 rows × 3.</summary>
    public int ExtraTables { get; init; }
    /// <summary>Tokens per sentence for the CRF head, whose loss is per sentence.</summary>
    public int SentenceLength { get; init; } = 5;
    /// <summary>Dropout on x and on the hidden outputs, with masks fixed per chunk so that J stays a function of θ.</summary>
    public double InputDropout { get; init; }
    public double HiddenDropout { get; init; }
    /// <summary>
    /// A character-level convolution (CharWNN) in every slot: an alphabet of 12 ids × 4, 3 filters over 3 characters,
    /// words of up to 8 ids (random lengths, so the max runs over different numbers of windows).
    /// </summary>
    public bool CharCnn { get; init; }
    /// <summary>The two non-local document tables (<see cref="DocumentContext"/>: 5 rows each) of this size, after the others; 0 for none.</summary>
    public int DocContext { get; init; }
    public double Epsilon { get; init; } = 1e-4;
    public double Tolerance { get; init; } = 1e-7;
    public int Seed { get; init; } = 1;
}

/// <summary>One parameter block's comparison of analytic and numerical gradients.</summary>
public sealed record BlockCheck(string Name, int Rows, int Cols, double MaxAbsDiff, double MaxRelDiff, double DiffNorm);

/// <summary>The outcome of a gradient check: per block, and the norm of the whole difference.</summary>
public sealed record GradientCheckResult(IReadOnlyList<BlockCheck> Blocks, double DiffNorm, double Tolerance, double Loss)
{
    public bool Passed => DiffNorm < Tolerance && Blocks.All(b => b.DiffNorm < Tolerance);
}

/// <summary>
/// PA4 §4.1: compares ∂J/∂θ from a gradient engine (the hand-derived backward pass by default) with central differences
/// (J(θ + ε) − J(θ − ε)) / 2ε for every parameter, L's rows included.
/// J = Σ_chunks w · loss(chunk) + λ/2 Σ‖W‖², where a chunk is a batch of windows (w = 1/N) or, for the CRF, a sentence (w = 1/S).
/// </summary>
public static class GradientCheck
{
    /// <summary>A random network and random windows for <paramref name="o"/>.</summary>
    public static (WindowModel<double> Model, int[] Ids, int[] Labels) Setup(GradientCheckOptions o)
    {
        var rng = new Random(o.Seed);
        var labels = Heads.Traits(o.Output).Binary
            ? new[] { "O", "POS" }
            : Enumerable.Range(0, o.Classes).Select(i => i == 0 ? "O" : "C" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var features = new List<FeatureSpec> { new("word", o.VocabularySize, o.Dim) };
        for (int f = 0; f < o.ExtraTables; f++) features.Add(new FeatureSpec("f" + (f + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), 7, 3));
        if (o.DocContext > 0)
            foreach (var name in DocumentContext.Names) features.Add(new FeatureSpec(name, DocumentContext.Classes, o.DocContext));
        var config = new ModelConfig
        {
            Window = o.Window,
            Hidden = Enumerable.Repeat(o.Hidden, o.Layers).ToArray(),
            Activation = o.Activation,
            Output = o.Output,
            Labels = labels,
            Features = features,
            CharCnn = o.CharCnn ? new CharCnnConfig(Alphabet: 12, Dim: 4, Filters: 3, Width: 3, MaxLength: 8, Column: 1) : null,
        };
        var model = new WindowModel<double>(config);
        model.Initialize(rng, embeddingScale: 0.5);
        // Non-zero biases (and transitions) so that their gradients are checked away from the symmetric start.
        foreach (var b in model.Parameters.Blocks)
            if (b.Kind is ParameterKind.Bias or ParameterKind.Transition)
                foreach (ref double v in model.Parameters.Value(b)) v = rng.NextDouble() - 0.5;
        var ids = new int[o.Windows * o.Window * config.IdsPerToken];
        if (config.CharCnn is not { } cc)
            for (int i = 0; i < ids.Length; i++) ids[i] = rng.Next(features[i % features.Count].Size);
        else
            for (int t = 0; t < ids.Length / config.IdsPerToken; t++)
            {
                var token = ids.AsSpan(t * config.IdsPerToken, config.IdsPerToken);
                for (int k = 0; k < features.Count; k++) token[config.Column(k)] = rng.Next(features[k].Size);
                // ⟨w⟩ c1 … cn ⟨/w⟩ padding, n from 1 to the most that fits (CharAlphabet.Encode's layout). A word whose
                // max is within ε-reach of a kink (two windows' scores closer than 1e-3) is drawn again: central
                // differences across a kink of max measure no derivative.
                var chars = token.Slice(cc.Column, cc.MaxLength);
                for (int attempt = 0; attempt < 100; attempt++)
                {
                    chars.Clear();
                    int n = rng.Next(1, cc.MaxLength - 1);
                    chars[0] = CharAlphabet.Begin;
                    for (int j = 1; j <= n; j++) chars[j] = rng.Next(CharAlphabet.Reserved, cc.Alphabet);
                    chars[n + 1] = CharAlphabet.End;
                    if (CharMargin(model, chars) >= 1e-3) break;
                }
            }
        var y = new int[o.Windows];
        for (int i = 0; i < y.Length; i++) y[i] = rng.Next(labels.Length);
        return (model, ids, y);
    }

    /// <summary>The smallest gap, over the filters, between a word's max window score and its next best (∞ for one window).</summary>
    public static double CharMargin(WindowModel<double> model, ReadOnlySpan<int> chars)
    {
        var cc = model.CharCnn ?? throw new ArgumentException("the model has no character convolution", nameof(model));
        var p = model.Parameters;
        int m = CharConvolution<double>.Positions(chars, cc.Width);
        var r = new double[cc.Filters];
        var arg = new int[cc.Filters];
        var u = new double[cc.MaxLength * cc.Filters];
        CharConvolution<double>.Forward(r, arg, new double[cc.MaxLength * cc.Width * cc.Dim], u, chars,
            p.Value(p[WindowModel<double>.CharTableName]), p.Value(p["W0"]), p.Value(p["b0"]), cc.Dim, cc.Width, cc.Filters);
        double margin = double.PositiveInfinity;
        for (int f = 0; f < cc.Filters; f++)
            for (int q = 0; q < m; q++)
                if (q != arg[f]) margin = Math.Min(margin, r[f] - u[q * cc.Filters + f]);
        return margin;
    }

    /// <summary>The chunks (first window, windows) the loss is summed over, and each chunk's weight.</summary>
    public static (List<(int Start, int Length)> Chunks, double Weight) Chunks(ModelConfig config, int windows, int batch, int sentenceLength)
    {
        var chunks = new List<(int, int)>();
        bool sentences = Heads.Traits(config.Output).SentenceUnits;
        int size = sentences ? Math.Max(1, sentenceLength) : batch <= 0 ? windows : batch;
        for (int s = 0; s < windows; s += size) chunks.Add((s, Math.Min(size, windows - s)));
        return (chunks, sentences ? 1.0 / chunks.Count : 1.0 / windows);
    }

    /// <summary>J(θ) over all windows.</summary>
    public static double Loss(WindowModel<double> model, int[] ids, int[] labels, double l2, GradientCheckOptions? o = null)
    {
        o ??= new GradientCheckOptions();
        int width = model.Config.Window * model.Config.IdsPerToken;
        var (chunks, weight) = Chunks(model.Config, labels.Length, o.Batch, o.SentenceLength);
        var ws = model.CreateWorkspace(chunks.Max(c => c.Length));
        double j = 0;
        for (int c = 0; c < chunks.Count; c++)
        {
            var (start, n) = chunks[c];
            if (o.InputDropout > 0 || o.HiddenDropout > 0) ws.SetDropout(o.InputDropout, o.HiddenDropout, (ulong)c + 1);
            j += weight * model.Forward(ws, ids.AsSpan(start * width, n * width), labels.AsSpan(start, n), n);
        }
        return j + model.L2Penalty(l2);
    }

    /// <summary>∂J/∂θ from the hand-written backward pass, in batches of <paramref name="batch"/> windows (0 = all).</summary>
    public static double[] AnalyticGradient(WindowModel<double> model, int[] ids, int[] labels, double l2, int batch)
        => AnalyticGradient(model, ids, labels, l2, new GradientCheckOptions { Batch = batch });

    /// <summary>∂J/∂θ from the hand-written backward pass, chunked as <paramref name="o"/> says.</summary>
    public static double[] AnalyticGradient(WindowModel<double> model, int[] ids, int[] labels, double l2, GradientCheckOptions o)
    {
        var (chunks, _) = Chunks(model.Config, labels.Length, o.Batch, o.SentenceLength);
        return AnalyticGradient(new ManualBackprop<double>(model, chunks.Max(c => c.Length)), ids, labels, l2, o);
    }

    /// <summary>∂J/∂θ from any gradient engine, in batches of <paramref name="batch"/> windows (0 = all).</summary>
    public static double[] AnalyticGradient(IBackprop<double> engine, int[] ids, int[] labels, double l2, int batch)
        => AnalyticGradient(engine, ids, labels, l2, new GradientCheckOptions { Batch = batch });

    /// <summary>∂J/∂θ from any gradient engine, chunked as <paramref name="o"/> says.</summary>
    public static double[] AnalyticGradient(IBackprop<double> engine, int[] ids, int[] labels, double l2, GradientCheckOptions o)
    {
        var model = engine.Model;
        var grad = new double[model.Parameters.Count];
        var touched = model.Config.Features.Select(f => new RowSet(f.Size)).ToArray();
        var train = Enumerable.Repeat(true, model.Config.Features.Count).ToArray();
        int width = model.Config.Window * model.Config.IdsPerToken;
        var (chunks, weight) = Chunks(model.Config, labels.Length, o.Batch, o.SentenceLength);
        for (int c = 0; c < chunks.Count; c++)
        {
            var (start, n) = chunks[c];
            if (o.InputDropout > 0 || o.HiddenDropout > 0) engine.SetDropout(o.InputDropout, o.HiddenDropout, (ulong)c + 1);
            // Each chunk adds w · ∂loss/∂θ; λW is added once, with the first chunk.
            engine.LossAndGradient(ids.AsSpan(start * width, n * width), labels.AsSpan(start, n), n, weight, c == 0 ? l2 : 0.0, grad, touched, train);
        }
        return grad;
    }

    /// <summary>Central differences (J(θ_i + ε) − J(θ_i − ε)) / 2ε for every parameter.</summary>
    public static double[] NumericalGradient(WindowModel<double> model, int[] ids, int[] labels, double l2, double epsilon, GradientCheckOptions? o = null)
    {
        var theta = model.Parameters.Values;
        var grad = new double[theta.Length];
        for (int i = 0; i < theta.Length; i++)
        {
            double keep = theta[i];
            theta[i] = keep + epsilon;
            double plus = Loss(model, ids, labels, l2, o);
            theta[i] = keep - epsilon;
            double minus = Loss(model, ids, labels, l2, o);
            theta[i] = keep;
            grad[i] = (plus - minus) / (2 * epsilon);
        }
        return grad;
    }

    /// <summary>Per-block max absolute / max relative difference and difference norm, plus the norm over all blocks.</summary>
    public static GradientCheckResult Compare(Parameters<double> layout, double[] analytic, double[] numeric, double tolerance, double loss)
    {
        var blocks = new List<BlockCheck>();
        double total = 0;
        foreach (var b in layout.Blocks)
        {
            double maxAbs = 0, maxRel = 0, sq = 0;
            for (int i = b.Offset; i < b.Offset + b.Length; i++)
            {
                double d = Math.Abs(analytic[i] - numeric[i]);
                double scale = Math.Abs(analytic[i]) + Math.Abs(numeric[i]);
                maxAbs = Math.Max(maxAbs, d);
                if (scale > 0) maxRel = Math.Max(maxRel, d / scale);
                sq += d * d;
            }
            total += sq;
            blocks.Add(new BlockCheck(b.Name, b.Rows, b.Cols, maxAbs, maxRel, Math.Sqrt(sq)));
        }
        return new GradientCheckResult(blocks, Math.Sqrt(total), tolerance, loss);
    }

    /// <summary>Runs the whole check for <paramref name="o"/> with the hand-derived engine.</summary>
    public static GradientCheckResult Run(GradientCheckOptions o)
    {
        var (model, ids, labels) = Setup(o);
        var analytic = AnalyticGradient(model, ids, labels, o.L2, o);
        var numeric = NumericalGradient(model, ids, labels, o.L2, o.Epsilon, o);
        return Compare(model.Parameters, analytic, numeric, o.Tolerance, Loss(model, ids, labels, o.L2, o));
    }
}
