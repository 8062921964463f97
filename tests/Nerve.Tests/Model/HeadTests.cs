using Nerve.Autodiff;
using Nerve.Diagnostics;
using Nerve.Model;

namespace Nerve.Tests.Model;

/// <summary>The output heads as types (<see cref="IHead{T}"/>), their factory, and the graph engine's lookup by block name.</summary>
public class HeadTests
{
    [Theory]
    [InlineData(OutputKind.Softmax, typeof(SoftmaxHead<double>), 5, 0)]
    [InlineData(OutputKind.Sigmoid, typeof(SigmoidHead<double>), 1, 0)]
    [InlineData(OutputKind.Crf, typeof(CrfHead<double>), 5, 3)]
    public void The_factory_builds_the_head_of_the_configuration_with_its_own_blocks(OutputKind output, Type type, int width, int ownBlocks)
    {
        var (model, _, _) = GradientCheck.Setup(new GradientCheckOptions { Output = output, Layers = 1 });
        Assert.IsType(type, model.Head);
        Assert.Equal(width, model.Head.Width);
        Assert.Equal(ownBlocks, Heads.Layout(model.Config).Count());
        Assert.Equal(output.ToString().ToLowerInvariant(), model.Head.Traits.Name);
        Assert.Equal(model.Head.Traits, Heads.Traits(output));
        Assert.Equal(!model.Head.Traits.SentenceUnits, model.Head.PerWindow is not null);
    }

    [Fact]
    public void The_crf_transitions_are_their_own_kind_and_stay_out_of_l2()
    {
        var (model, _, _) = GradientCheck.Setup(new GradientCheckOptions { Output = OutputKind.Crf, Layers = 1 });
        var p = model.Parameters;
        foreach (string name in new[] { "A", "a0", "an" }) Assert.Equal(ParameterKind.Transition, p[name].Kind);
        double before = model.L2Penalty(0.5);
        foreach (ref double v in p.Value(p["A"])) v += 3;
        Assert.Equal(before, model.L2Penalty(0.5));
        foreach (ref double v in p.Value(p["U"])) v += 3;
        Assert.NotEqual(before, model.L2Penalty(0.5));
    }

    /// <summary>
    /// Each head's Backward against central differences of its own Forward, over the scores s and (for the CRF) its
    /// transition blocks, with a scale that is not 1.
    /// </summary>
    [Theory]
    [InlineData(OutputKind.Softmax, 1)]
    [InlineData(OutputKind.Sigmoid, 2)]
    [InlineData(OutputKind.Crf, 3)]
    public void Each_heads_backward_matches_central_differences_of_its_forward(OutputKind output, int seed)
    {
        var (model, _, _) = GradientCheck.Setup(new GradientCheckOptions { Output = output, Layers = 1, Seed = seed });
        var head = model.Head;
        const int batch = 6;
        const double scale = 0.7, eps = 1e-5;
        int k = head.Width;
        var rng = new Random(seed);
        var ws = model.CreateWorkspace(batch);
        for (int i = 0; i < batch * k; i++) ws.S[i] = rng.NextDouble() * 4 - 2;
        var labels = Enumerable.Range(0, batch).Select(_ => rng.Next(head.Traits.Binary ? 2 : k)).ToArray();
        double J() => scale * head.Forward(ws, labels, batch);

        J();
        var grad = new double[model.Parameters.Count];
        Array.Clear(ws.DS);
        head.Backward(ws, labels, batch, scale, grad);
        var ds = ws.DS.AsSpan(0, batch * k).ToArray();

        for (int i = 0; i < batch * k; i++)
        {
            double keep = ws.S[i];
            ws.S[i] = keep + eps;
            double plus = J();
            ws.S[i] = keep - eps;
            double minus = J();
            ws.S[i] = keep;
            Assert.Equal((plus - minus) / (2 * eps), ds[i], 1e-7);
        }
        var values = model.Parameters.Values;
        foreach (var (name, _, _, _) in Heads.Layout(model.Config))
        {
            var b = model.Parameters[name];
            for (int i = b.Offset; i < b.Offset + b.Length; i++)
            {
                double keep = values[i];
                values[i] = keep + eps;
                double plus = J();
                values[i] = keep - eps;
                double minus = J();
                values[i] = keep;
                Assert.Equal((plus - minus) / (2 * eps), grad[i], 1e-7);
            }
        }
        // The head writes no gradient outside its own blocks.
        var own = Heads.Layout(model.Config).Select(b => model.Parameters[b.Item1]).ToList();
        for (int i = 0; i < grad.Length; i++)
            if (!own.Any(b => i >= b.Offset && i < b.Offset + b.Length)) Assert.Equal(0.0, grad[i]);
    }

    [Theory]
    [InlineData(OutputKind.Softmax)]
    [InlineData(OutputKind.Sigmoid)]
    [InlineData(OutputKind.Crf)]
    public void Each_head_passes_the_models_gradient_check(OutputKind output)
    {
        var result = GradientCheck.Run(new GradientCheckOptions { Output = output, Layers = 2, Hidden = 3, Windows = 8, SentenceLength = 4, ExtraTables = 1 });
        Assert.True(result.Passed, $"norm {result.DiffNorm:E3}: " + string.Join(", ", result.Blocks.Select(b => $"{b.Name} {b.DiffNorm:E2}")));
    }

    [Theory]
    [InlineData(OutputKind.Softmax, 1)]
    [InlineData(OutputKind.Crf, 3)]
    public void The_graph_engine_finds_every_parameter_block_by_name(OutputKind output, int layers)
    {
        var (model, _, _) = GradientCheck.Setup(new GradientCheckOptions { Output = output, Layers = layers, ExtraTables = 1 });
        var engine = new GraphBackprop<double>(model, 4);
        foreach (var b in model.Parameters.Blocks)
        {
            var leaf = engine.Leaf(b.Name);
            Assert.Equal(b.Name, leaf.Name);
            Assert.Equal(b.Length, leaf.Data.Length);
            model.Parameters.Value(b)[^1] = 42.5; // the leaf views the block itself
            Assert.Equal(42.5, leaf.Data[^1]);
        }
        Assert.Throws<KeyNotFoundException>(() => engine.Leaf("no such block"));
    }

    [Fact]
    public void Decoding_asks_the_head()
    {
        var (model, ids, _) = GradientCheck.Setup(new GradientCheckOptions { Output = OutputKind.Sigmoid, Windows = 4 });
        var ws = model.CreateWorkspace(4);
        model.Forward(ws, ids, [], 4);
        var classes = new int[4];
        var confidence = new double[4];
        model.Decode(ws, 4, classes, confidence);
        var raw = new int[4];
        model.Head.Classify(ws.S, 4, raw);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(ws.P[i] > 0.5 ? 1 : 0, classes[i]);
            Assert.Equal(classes[i], raw[i]); // σ is monotone: the raw score decides alike
            Assert.Equal(Math.Max(ws.P[i], 1 - ws.P[i]), confidence[i]);
        }
        Assert.Equal(ws.P.AsSpan(0, 4).ToArray(), model.Head.Marginals(ws, 4).ToArray());
    }
}
