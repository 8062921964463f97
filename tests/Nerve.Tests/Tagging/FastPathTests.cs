using Nerve.Diagnostics;
using Nerve.Features;
using Nerve.Model;
using Nerve.Tagging;
using Nerve.Training;

namespace Nerve.Tests.Tagging;

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
    [InlineData(1, 0)]      // the plain forward
    [InlineData(1, 1)]      // nearly every row from the per-batch scratch
    [InlineData(1, 40)]     // part cached, part scratch, in every table
    [InlineData(2, 40)]     // a second hidden layer after the precomputed one
    [InlineData(1, 10_000)] // every row of every table cached
    public void Precomputed_first_layer_gives_the_plain_scores(int depth, int precompute)
    {
        var config = new ModelConfig
        {
            Window = 5,
            Hidden = [.. Enumerable.Repeat(37, depth)],
            Labels = ["O", "PER", "LOC", "ORG", "MISC"],
            Features = [new FeatureSpec("word", 300, 11), new FeatureSpec("caps", 4, 3), new FeatureSpec("suffix", 50, 5)],
        };
        var model = new WindowModel<float>(config);
        model.Initialize(new Random(4));
        var rng = new Random(8);
        // A token stream (Zipfian words, so rows repeat inside a batch) read as consecutive windows, as tagging does.
        var stream = new int[600 * 3];
        for (int i = 0; i < stream.Length; i += 3)
        {
            stream[i] = Math.Min(299, (int)Math.Exp(rng.NextDouble() * Math.Log(300)));
            stream[i + 1] = rng.Next(4);
            stream[i + 2] = rng.Next(50);
        }
        var counts = new int[][] { new int[300], new int[4], new int[50] };
        for (int i = 0; i < stream.Length; i++) counts[i % 3][stream[i]]++;
        var tagger = new WindowTagger(model, precompute, counts);
        Assert.Equal(Math.Min(precompute, 354), tagger.Cached);
        const int batch = 64;
        var buffers = tagger.CreateBuffers(batch);
        var plain = model.CreateWorkspace(batch);
        var ids = new int[batch * 15];
        var classes = new int[batch];
        for (int start = 0; start + 5 <= 600; start += batch)
        {
            int b = Math.Min(batch, 600 - 4 - start);
            for (int i = 0; i < b; i++) stream.AsSpan((start + i) * 3, 15).CopyTo(ids.AsSpan(i * 15, 15));
            tagger.Classify(buffers, ids, b, classes);
            model.Scores(plain, ids, b);
            var s = buffers.Workspace.S;
            for (int i = 0; i < b * 5; i++)
                Assert.True(Math.Abs(s[i] - plain.S[i]) <= 1e-5f * (1 + Math.Abs(plain.S[i])), $"window {start + i / 5}: {s[i]} vs {plain.S[i]}");
            for (int i = 0; i < b; i++)
            {
                var row = plain.S.AsSpan(i * 5, 5);
                Assert.Equal(row.IndexOf(row.ToArray().Max()), classes[i]);
            }
        }
    }

    [Fact]
    public void The_cache_takes_the_most_frequent_rows_seen_at_least_min_count_times()
    {
        var model = Bench.Model(Small);
        var counts = new int[Small.Vocabulary];
        counts[7] = 9;
        counts[3] = 5;
        counts[250] = 5;
        counts[11] = 1;
        Assert.Equal(3, new WindowTagger(model, 100, [counts], minCount: 2).Cached); // 11 is seen once
        Assert.Equal(2, new WindowTagger(model, 2, [counts], minCount: 2).Cached);
        Assert.Equal(100, new WindowTagger(model, 100).Cached);                      // no counts: ids in order
    }
}
