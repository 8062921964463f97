using Nerve.Autodiff;
using Nerve.Corpus;
using Nerve.Evaluation;
using Nerve.Training;
using Xunit.Abstractions;

namespace Nerve.Tests.Autodiff;

/// <summary>Training through the graph engine gives the model the hand-derived engine gives.</summary>
public sealed class AutodiffTrainingTests(ITestOutputHelper output)
{
    private static readonly List<Sentence> Train = Synthetic.Corpus(300, seed: 1);
    private static readonly List<Sentence> Dev = Synthetic.Corpus(80, seed: 2);

    [Theory]
    [InlineData(OptimizerKind.AdaGrad, 1, 0.0, 0.006)]
    [InlineData(OptimizerKind.Sgd, 8, 1e-3, 0.05)]
    public void One_epoch_through_the_graph_trains_the_same_model(OptimizerKind optimizer, int batch, double l2, double lr)
    {
        var o = new TrainOptions { Optimizer = optimizer, Batch = batch, L2 = l2, Epochs = 1, Threads = 1, Seed = 3, LearningRate = lr };
        var manual = Synthetic.NewModel(Train, seed: o.Seed);
        var graph = Synthetic.NewModel(Train, seed: o.Seed);
        Assert.Equal(manual.Network.Parameters.Values, graph.Network.Parameters.Values);

        var a = new Trainer(manual, Train, Dev, o, ModelEvaluation.F1).Train();
        var b = new Trainer(graph, Train, Dev, o, ModelEvaluation.F1, (m, n) => new GraphBackprop<float>(m, n)).Train();

        Assert.True(a.BestF1 > 30, $"the manual engine learned too little to compare: dev F1 {a.BestF1:F2}");
        Assert.Equal(a.Epochs[0].DevF1, b.Epochs[0].DevF1);
        Assert.Equal(a.Epochs[0].Loss, b.Epochs[0].Loss, 1e-5);
        var x = manual.Network.Parameters.Values;
        var y = graph.Network.Parameters.Values;
        float worst = 0;
        for (int i = 0; i < x.Length; i++) worst = Math.Max(worst, Math.Abs(x[i] - y[i]));
        output.WriteLine($"dev F1 {a.BestF1:F2} vs {b.BestF1:F2}; max parameter difference {worst:E2}");
        Assert.True(worst <= 1e-5f, $"parameters differ by up to {worst}");
    }
}
