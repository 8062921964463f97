using Nerve.Autodiff;
using Nerve.Diagnostics;
using Nerve.Features;
using Nerve.Model;
using Xunit.Abstractions;

namespace Nerve.Tests.Autodiff;

/// <summary>The window network on the graph against the hand-derived backward pass, and against central differences.</summary>
public sealed class AutodiffModelTests(ITestOutputHelper output)
{
    private sealed record Case(WindowModel<double> Model, int Batch, double Scale, double L2, bool[] Train, int[][] Ids, int[][] Labels);

    /// <summary>
    /// Seed → architecture: depth, head, activation and L2 cycle through all 48 combinations; window, batch,
    /// table count, sizes, trainable tables and the data are drawn at random.
    /// </summary>
    private static Case Make(int seed)
    {
        var rng = new Random(seed);
        int depth = 1 + seed % 3;
        var head = (seed / 3) % 2 == 0 ? OutputKind.Softmax : OutputKind.Sigmoid;
        var activation = (ActivationKind)(seed / 6 % 4);
        double l2 = seed / 24 % 2 == 0 ? 0 : 0.01 + rng.NextDouble() * 0.2;
        int window = new[] { 1, 3, 5 }[rng.Next(3)];
        int batch = 1 + rng.Next(8);
        int classes = head == OutputKind.Sigmoid ? 2 : 2 + rng.Next(4);
        var features = new List<FeatureSpec> { new("word", 3 + rng.Next(10), 1 + rng.Next(4)) };
        if (rng.Next(2) == 1) features.Add(new FeatureSpec("case", 2 + rng.Next(4), 1 + rng.Next(3)));
        var config = new ModelConfig
        {
            Window = window,
            Hidden = Enumerable.Range(0, depth).Select(_ => 1 + rng.Next(6)).ToArray(),
            Activation = activation,
            Output = head,
            Labels = Enumerable.Range(0, classes).Select(i => "C" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            Features = features,
        };
        var model = new WindowModel<double>(config);
        model.Initialize(rng, embeddingScale: 0.5);
        foreach (var b in model.Parameters.Blocks)
            if (b.Kind == ParameterKind.Bias)
                foreach (ref double v in model.Parameters.Value(b)) v = rng.NextDouble() - 0.5;
        var train = features.Select(_ => rng.Next(4) != 0).ToArray();
        int[] Ids() => Enumerable.Range(0, batch * window * features.Count).Select(i => rng.Next(features[i % features.Count].Size)).ToArray();
        int[] Labels() => Enumerable.Range(0, batch).Select(_ => rng.Next(classes)).ToArray();
        double scale = rng.Next(2) == 0 ? 1.0 / batch : rng.NextDouble() * 2;
        return new Case(model, batch, scale, l2, train, [Ids(), Ids()], [Labels(), Labels()]);
    }

    /// <summary>Two batches through one engine, accumulating into a gradient buffer that starts non-zero.</summary>
    private static (double[] Losses, double[] Gradient, int[][] Rows) Run(IBackprop<double> engine, Case c)
    {
        var p = engine.Model.Parameters;
        var rng = new Random(7);
        var grad = Enumerable.Range(0, p.Count).Select(_ => rng.NextDouble()).ToArray();
        var touched = engine.Model.Config.Features.Select(f => new RowSet(f.Size)).ToArray();
        var losses = new double[2];
        for (int k = 0; k < 2; k++)
            losses[k] = engine.LossAndGradient(c.Ids[k], c.Labels[k], c.Batch, c.Scale, c.L2, grad, touched, c.Train);
        return (losses, grad, touched.Select(t => t.Rows.ToArray()).ToArray());
    }

    [Fact]
    public void The_graph_gives_the_hand_derived_loss_and_gradients_over_200_random_networks()
    {
        double worst = 0;
        for (int seed = 0; seed < 200; seed++)
        {
            var c = Make(seed);
            var manual = Run(new ManualBackprop<double>(c.Model, c.Batch), c);
            var graph = Run(new GraphBackprop<double>(c.Model, c.Batch), c);
            for (int k = 0; k < 2; k++)
            {
                double d = Math.Abs(manual.Losses[k] - graph.Losses[k]);
                worst = Math.Max(worst, d);
                Assert.True(d <= 1e-12, $"seed {seed}: loss {manual.Losses[k]} vs {graph.Losses[k]}");
            }
            foreach (var b in c.Model.Parameters.Blocks)
                for (int i = b.Offset; i < b.Offset + b.Length; i++)
                {
                    double d = Math.Abs(manual.Gradient[i] - graph.Gradient[i]);
                    worst = Math.Max(worst, d);
                    Assert.True(d <= 1e-12, $"seed {seed}: ∂J/∂{b.Name}[{i - b.Offset}] {manual.Gradient[i]} vs {graph.Gradient[i]}");
                }
            for (int t = 0; t < c.Train.Length; t++)
            {
                Assert.Equal(manual.Rows[t], graph.Rows[t]);
                Assert.Equal(c.Train[t], graph.Rows[t].Length > 0);
            }
        }
        output.WriteLine($"max |manual − graph| over 200 networks: {worst:E3}");
    }

    [Theory]
    [InlineData(1, OutputKind.Softmax, ActivationKind.Tanh, 0.0, 0, 5)]
    [InlineData(2, OutputKind.Sigmoid, ActivationKind.Sigmoid, 0.1, 3, 3)]
    [InlineData(3, OutputKind.Softmax, ActivationKind.HardTanh, 0.05, 1, 5)]
    [InlineData(2, OutputKind.Softmax, ActivationKind.Relu, 0.0, 4, 1)]
    public void The_graph_gradient_passes_the_finite_difference_check(int layers, OutputKind head, ActivationKind activation, double l2, int batch, int window)
    {
        var o = new GradientCheckOptions { Layers = layers, Hidden = 3, Output = head, Activation = activation, L2 = l2, Batch = batch, Window = window, Dim = 6, Seed = 3 };
        var (model, ids, labels) = GradientCheck.Setup(o);
        var analytic = GradientCheck.AnalyticGradient(new GraphBackprop<double>(model, batch <= 0 ? labels.Length : batch), ids, labels, l2, batch);
        var numeric = GradientCheck.NumericalGradient(model, ids, labels, l2, o.Epsilon);
        var result = GradientCheck.Compare(model.Parameters, analytic, numeric, o.Tolerance, 0);
        Assert.True(result.Passed, string.Join("; ", result.Blocks.Select(b => $"{b.Name}: {b.DiffNorm:E2}")));
        Assert.Contains(analytic, g => g != 0);
    }

    [Theory]
    [InlineData(1, new[] { "L", "L[w]", "x", "W", "Wx", "b1", "z", "h", "U", "Uh", "b2", "s", "J" })]
    [InlineData(3, new[] { "L", "x", "W1", "b1", "z1", "h1", "W2h1", "W2", "b2", "z2", "h2", "W3", "b3", "z3", "h3", "U", "b4", "s", "J" })]
    public void The_graph_names_its_nodes_after_the_seed(int depth, string[] names)
    {
        var config = new ModelConfig { Window = 3, Hidden = Enumerable.Repeat(4, depth).ToArray(), Labels = ["O", "PER", "LOC"], Features = [new FeatureSpec("word", 10, 2)] };
        var model = new WindowModel<double>(config);
        model.Initialize(new Random(1));
        var graph = new GraphBackprop<double>(model, 1).Build([1, 2, 3], [2], 1, 1.0, 0.0, [true]);
        foreach (string name in names) Assert.NotNull(graph[name]);
        Assert.Same(graph.J, graph.Nodes[^1]);
        Assert.Same(graph.J, graph.CrossEntropy); // no scale, no L2: J is the cross-entropy itself
        Assert.Equal(2, graph["h" + (depth == 1 ? "" : "1")].Rank);
        Assert.Throws<KeyNotFoundException>(() => graph["nothing"]);
    }

    [Fact]
    public void The_float_engines_agree()
    {
        var c = Make(11);
        var model = WindowModel<float>.FromParameters(c.Model.Config, c.Model.Parameters.Convert<float>());
        var ids = c.Ids[0];
        var labels = c.Labels[0];
        var gm = new float[model.Parameters.Count];
        var gg = new float[model.Parameters.Count];
        var tm = model.Config.Features.Select(f => new RowSet(f.Size)).ToArray();
        var tg = model.Config.Features.Select(f => new RowSet(f.Size)).ToArray();
        float lm = new ManualBackprop<float>(model, c.Batch).LossAndGradient(ids, labels, c.Batch, 0.5f, 0.01f, gm, tm, c.Train);
        float lg = new GraphBackprop<float>(model, c.Batch).LossAndGradient(ids, labels, c.Batch, 0.5f, 0.01f, gg, tg, c.Train);
        Assert.Equal(lm, lg, 1e-5f);
        for (int i = 0; i < gm.Length; i++) Assert.Equal(gm[i], gg[i], 1e-5f);
    }
}
