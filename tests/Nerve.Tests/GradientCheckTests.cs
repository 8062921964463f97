using Nerve.Model;

namespace Nerve.Tests;

public class GradientCheckTests
{
    public static TheoryData<OutputKind, int, ActivationKind, double> Configurations()
    {
        var data = new TheoryData<OutputKind, int, ActivationKind, double>();
        foreach (var output in new[] { OutputKind.Softmax, OutputKind.Sigmoid })
            foreach (int layers in new[] { 1, 2, 3 })
                foreach (var act in Enum.GetValues<ActivationKind>())
                    foreach (double l2 in new[] { 0.0, 0.1 })
                        data.Add(output, layers, act, l2);
        return data;
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Hand_derived_gradients_match_central_differences(OutputKind output, int layers, ActivationKind activation, double l2)
    {
        var result = GradientCheck.Run(new GradientCheckOptions { Output = output, Layers = layers, Activation = activation, L2 = l2 });
        Assert.True(result.Passed, $"norm {result.DiffNorm:E3}: " + string.Join(", ", result.Blocks.Select(b => $"{b.Name} {b.DiffNorm:E2}")));
        Assert.Equal(layers * 2 + 3, result.Blocks.Count);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(11, 4)]
    [InlineData(23, 5)]
    public void Per_window_and_batched_backward_agree_over_seeds(int seed, int batch)
    {
        var o = new GradientCheckOptions { Seed = seed, Windows = 12, Hidden = 7, Layers = 2, L2 = 0.01 };
        var (model, ids, labels) = GradientCheck.Setup(o);
        var all = GradientCheck.AnalyticGradient(model, ids, labels, o.L2, batch: 0);
        var split = GradientCheck.AnalyticGradient(model, ids, labels, o.L2, batch);
        for (int i = 0; i < all.Length; i++)
            Assert.Equal(all[i], split[i], 1e-12);
    }

    [Fact]
    public void A_wrong_gradient_is_caught()
    {
        var o = new GradientCheckOptions();
        var (model, ids, labels) = GradientCheck.Setup(o);
        var analytic = GradientCheck.AnalyticGradient(model, ids, labels, 0, 0);
        var numeric = GradientCheck.NumericalGradient(model, ids, labels, 0, o.Epsilon);
        var w = model.Parameters["W"];
        analytic[w.Offset + 3] += 1e-5; // one entry of ∂J/∂W off by 1e-5
        var result = GradientCheck.Compare(model.Parameters, analytic, numeric, o.Tolerance, 0);
        Assert.False(result.Passed);
        Assert.True(result.Blocks.Single(b => b.Name == "W").DiffNorm > 5e-6);
        Assert.True(result.Blocks.Single(b => b.Name == "U").DiffNorm < 1e-7);
    }

    [Fact]
    public void Every_embedding_row_used_by_a_window_gets_a_gradient()
    {
        var o = new GradientCheckOptions { VocabularySize = 30, Windows = 3 };
        var (model, ids, labels) = GradientCheck.Setup(o);
        var g = GradientCheck.AnalyticGradient(model, ids, labels, 0, 0);
        var l = model.Parameters["L"];
        for (int row = 0; row < o.VocabularySize; row++)
        {
            bool used = ids.Contains(row);
            bool nonzero = g.AsSpan(l.Offset + row * l.Cols, l.Cols).ToArray().Any(v => v != 0);
            Assert.Equal(used, nonzero);
        }
    }
}
