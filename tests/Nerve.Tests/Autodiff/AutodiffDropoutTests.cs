using Nerve.Autodiff;
using Nerve.Diagnostics;
using Nerve.Model;

namespace Nerve.Tests.Autodiff;

public class AutodiffDropoutTests
{
    [Theory]
    [InlineData(OutputKind.Softmax, 1, 0.3, 0.0)]
    [InlineData(OutputKind.Softmax, 2, 0.2, 0.5)]
    [InlineData(OutputKind.Sigmoid, 3, 0.0, 0.4)]
    public void Graph_and_manual_agree_with_dropout_masks(OutputKind output, int layers, double input, double hidden)
    {
        var o = new GradientCheckOptions { Output = output, Layers = layers, Hidden = 4, InputDropout = input, HiddenDropout = hidden, Windows = 9, Batch = 3, L2 = 0.01, ExtraTables = 1 };
        var (model, ids, labels) = GradientCheck.Setup(o);
        var manual = GradientCheck.AnalyticGradient(model, ids, labels, o.L2, o);
        var graph = GradientCheck.AnalyticGradient(new GraphBackprop<double>(model, 3), ids, labels, o.L2, o);
        for (int i = 0; i < manual.Length; i++) Assert.Equal(manual[i], graph[i], 1e-12);
        // Dropout changed the gradient: the same call without masks differs.
        var plain = GradientCheck.AnalyticGradient(model, ids, labels, o.L2, o with { InputDropout = 0, HiddenDropout = 0 });
        Assert.Contains(Enumerable.Range(0, plain.Length), i => Math.Abs(plain[i] - manual[i]) > 1e-6);
    }

    [Theory]
    [InlineData(1, 0.0, 0.0, 1)]
    [InlineData(2, 0.0, 0.3, 2)]
    [InlineData(3, 0.2, 0.0, 7)]
    public void The_crf_head_on_the_graph_matches_the_hand_derived_forward_backward(int layers, double l2, double dropout, int seed)
    {
        var o = new GradientCheckOptions { Output = OutputKind.Crf, Layers = layers, Hidden = 3, L2 = l2, HiddenDropout = dropout, Windows = 11, SentenceLength = 4, Seed = seed, ExtraTables = 1 };
        var (model, ids, labels) = GradientCheck.Setup(o);
        var manual = GradientCheck.AnalyticGradient(model, ids, labels, o.L2, o);
        var graph = GradientCheck.AnalyticGradient(new GraphBackprop<double>(model, 4), ids, labels, o.L2, o);
        for (int i = 0; i < manual.Length; i++) Assert.Equal(manual[i], graph[i], 1e-12);
        var numeric = GradientCheck.NumericalGradient(model, ids, labels, o.L2, o.Epsilon, o);
        Assert.True(GradientCheck.Compare(model.Parameters, graph, numeric, o.Tolerance, 0).Passed);
    }
}
