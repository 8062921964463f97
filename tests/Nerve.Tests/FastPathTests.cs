using Nerve.Model;
using Nerve.Tagging;
using Nerve.Training;

namespace Nerve.Tests;

/// <summary>The fast paths against the plain ones they replace: fused batch-1 SGD, and tagging with precomputation.</summary>
public class FastPathTests
{
    private static readonly BenchOptions Small = new() { Vocabulary = 300, Tokens = 400, Hidden = 37, Dim = 11, Classes = 5 };

    [Theory]
    [InlineData(ActivationKind.Tanh, OutputKind.Softmax, 1)]
    [InlineData(ActivationKind.Relu, OutputKind.Sigmoid, 2)]
    public void Fused_sgd_step_equals_forward_backward_and_an_sgd_update(ActivationKind activation, OutputKind output, int depth)
    {
        var config = new ModelConfig
        {
            Window = 5,
            Hidden = [.. Enumerable.Repeat(37, depth)],
            Activation = activation,
            Output = output,
            Labels = output == OutputKind.Sigmoid ? ["O", "PER"] : ["O", "PER", "LOC", "ORG", "MISC"],
            Features = [new FeatureSpec("word", 50, 11), new FeatureSpec("caps", 4, 3)],
        };
        var fused = new WindowModel<float>(config);
        fused.Initialize(new Random(3));
        var plain = WindowModel<float>.FromParameters(config, fused.Parameters.Convert<float>());
        var optimizer = new Optimizer<float>(plain.Parameters, OptimizerKind.Sgd);
        var wsFused = fused.CreateWorkspace(1);
        var wsPlain = plain.CreateWorkspace(1);
        var touched = config.Features.Select(f => new RowSet(f.Size)).ToArray();
        bool[] train = [true, false];
        var rng = new Random(5);
        for (int step = 0; step < 40; step++)
        {
            // A word repeated inside the window exercises the two updates of one embedding row.
            int[] ids = [rng.Next(50), 1, rng.Next(4), 0, 7, rng.Next(4), 7, 2, rng.Next(50), 3];
            int[] label = [rng.Next(config.Labels.Count)];
            float l1 = fused.SgdStep(wsFused, ids, label, 0.1f, train);
            float l2 = plain.Forward(wsPlain, ids, label, 1);
            plain.Backward(wsPlain, ids, label, 1, 1f, 0f, plain.Parameters.Gradients, touched, train);
            optimizer.Step(plain.Parameters.Gradients, touched, plain.Tables, train, 0.1f);
            Assert.Equal(l2, l1, 1e-5f);
        }
        var a = fused.Parameters.Values;
        var b = plain.Parameters.Values;
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(a[i] - b[i]) <= 1e-5f * (1 + Math.Abs(b[i])), $"parameter {i}: {a[i]} vs {b[i]}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(30)]
    [InlineData(300)]
    public void Precomputed_first_layer_gives_the_plain_forward(int precompute)
    {
        var model = Bench.Model(Small);
        var data = new SyntheticWindows(Small.Tokens, Small.Vocabulary, Small.Window, Small.Classes, 9);
        var tagger = new WindowTagger(model, precompute, data.Frequency);
        Assert.Equal(Math.Min(precompute, Small.Vocabulary), tagger.Cached);
        const int batch = 64;
        var ws = tagger.CreateWorkspace(batch);
        var plain = model.CreateWorkspace(batch);
        var ids = new int[batch * Small.Window];
        var classes = new int[batch];
        for (int start = 0; start < data.Count; start += batch)
        {
            int b = Math.Min(batch, data.Count - start);
            data.GatherRange(start, b, ids);
            tagger.Classify(ws, ids, b, classes);
            model.Forward(plain, ids, [], b);
            for (int i = 0; i < b * Small.Classes; i++)
                Assert.True(Math.Abs(ws.P[i] - plain.P[i]) <= 1e-5f, $"window {start + i / Small.Classes}: {ws.P[i]} vs {plain.P[i]}");
            for (int i = 0; i < b; i++)
                Assert.Equal(plain.P.AsSpan(i * Small.Classes, Small.Classes).IndexOf(plain.P.AsSpan(i * Small.Classes, Small.Classes).ToArray().Max()), classes[i]);
        }
    }
}
