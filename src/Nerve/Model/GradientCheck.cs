namespace Nerve.Model;

/// <summary>Settings of a finite-difference gradient check (PA4 §4.1): a small network on random windows, in double precision.</summary>
public sealed record GradientCheckOptions
{
    public int Windows { get; init; } = 10;
    public int Layers { get; init; } = 1;
    public int Hidden { get; init; } = 2;
    public OutputKind Output { get; init; } = OutputKind.Softmax;
    public ActivationKind Activation { get; init; } = ActivationKind.Tanh;
    public double L2 { get; init; }
    public int Window { get; init; } = 5;
    public int Classes { get; init; } = 5;
    public int VocabularySize { get; init; } = 20;
    public int Dim { get; init; } = 50;
    /// <summary>Windows per backward call: all of them by default (the batched path); 1 checks the per-window SGD path.</summary>
    public int Batch { get; init; }
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
/// PA4 §4.1: compares ∂J/∂θ from the hand-derived backward pass with central differences
/// (J(θ + ε) − J(θ − ε)) / 2ε for every parameter, L's rows included.
/// </summary>
public static class GradientCheck
{
    /// <summary>A random network and random windows for <paramref name="o"/>.</summary>
    public static (WindowModel<double> Model, int[] Ids, int[] Labels) Setup(GradientCheckOptions o)
    {
        var rng = new Random(o.Seed);
        var labels = o.Output == OutputKind.Sigmoid
            ? new[] { "O", "POS" }
            : Enumerable.Range(0, o.Classes).Select(i => i == 0 ? "O" : "C" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var config = new ModelConfig
        {
            Window = o.Window,
            Hidden = Enumerable.Repeat(o.Hidden, o.Layers).ToArray(),
            Activation = o.Activation,
            Output = o.Output,
            Labels = labels,
            Features = [new FeatureSpec("word", o.VocabularySize, o.Dim)],
        };
        var model = new WindowModel<double>(config);
        model.Initialize(rng, embeddingScale: 0.5);
        // Non-zero biases so that their gradients are checked away from the symmetric start.
        foreach (var b in model.Parameters.Blocks)
            if (b.Kind == ParameterKind.Bias)
                foreach (ref double v in model.Parameters.Value(b)) v = rng.NextDouble() - 0.5;
        var ids = new int[o.Windows * o.Window];
        for (int i = 0; i < ids.Length; i++) ids[i] = rng.Next(o.VocabularySize);
        var y = new int[o.Windows];
        for (int i = 0; i < y.Length; i++) y[i] = rng.Next(labels.Length);
        return (model, ids, y);
    }

    /// <summary>J = (1/N) Σ CE + λ/2 Σ‖W‖² over all windows.</summary>
    public static double Loss(WindowModel<double> model, int[] ids, int[] labels, double l2)
    {
        int n = labels.Length;
        var ws = model.CreateWorkspace(n);
        return model.Forward(ws, ids, labels, n) / n + model.L2Penalty(l2);
    }

    /// <summary>∂J/∂θ from the hand-written backward pass, in batches of <paramref name="batch"/> windows (0 = all).</summary>
    public static double[] AnalyticGradient(WindowModel<double> model, int[] ids, int[] labels, double l2, int batch)
        => AnalyticGradient(new ManualBackprop<double>(model, batch <= 0 ? labels.Length : batch), ids, labels, l2, batch);

    /// <summary>∂J/∂θ from any gradient engine, in batches of <paramref name="batch"/> windows (0 = all).</summary>
    public static double[] AnalyticGradient(IBackprop<double> engine, int[] ids, int[] labels, double l2, int batch)
    {
        var model = engine.Model;
        int n = labels.Length;
        int bs = batch <= 0 ? n : batch;
        var grad = new double[model.Parameters.Count];
        var touched = model.Config.Features.Select(f => new RowSet(f.Size)).ToArray();
        var train = Enumerable.Repeat(true, model.Config.Features.Count).ToArray();
        int c = model.Config.Window * model.Config.Features.Count;
        var part = new double[grad.Length];
        for (int start = 0; start < n; start += bs)
        {
            int b = Math.Min(bs, n - start);
            Array.Clear(part);
            // Each batch's gradient is that of its own mean plus λW; weighted by b/n they sum to ∂J/∂θ.
            engine.LossAndGradient(ids.AsSpan(start * c, b * c), labels.AsSpan(start, b), b, 1.0 / b, l2, part, touched, train);
            for (int i = 0; i < grad.Length; i++) grad[i] += part[i] * b / n;
        }
        return grad;
    }

    /// <summary>Central differences (J(θ_i + ε) − J(θ_i − ε)) / 2ε for every parameter.</summary>
    public static double[] NumericalGradient(WindowModel<double> model, int[] ids, int[] labels, double l2, double epsilon)
    {
        var theta = model.Parameters.Values;
        var grad = new double[theta.Length];
        for (int i = 0; i < theta.Length; i++)
        {
            double keep = theta[i];
            theta[i] = keep + epsilon;
            double plus = Loss(model, ids, labels, l2);
            theta[i] = keep - epsilon;
            double minus = Loss(model, ids, labels, l2);
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

    /// <summary>Runs the whole check for <paramref name="o"/>.</summary>
    public static GradientCheckResult Run(GradientCheckOptions o)
    {
        var (model, ids, labels) = Setup(o);
        var analytic = AnalyticGradient(model, ids, labels, o.L2, o.Batch);
        var numeric = NumericalGradient(model, ids, labels, o.L2, o.Epsilon);
        return Compare(model.Parameters, analytic, numeric, o.Tolerance, Loss(model, ids, labels, o.L2));
    }
}
