using Nerve.Features;
using Nerve.Model;
using Nerve.Training;

namespace Nerve.Tests.Training;

/// <summary>Batch-1 SGD run as a pipeline over row blocks of W (<see cref="SgdPipeline"/>) against the per-window step.</summary>
public class SgdPipelineTests
{
    private const int Window = 5;

    private static WindowModel<float> NewModel(OutputKind output, ActivationKind activation, int hidden, int seed)
    {
        var config = new ModelConfig
        {
            Window = Window,
            Hidden = [hidden],
            Activation = activation,
            Output = output,
            Labels = output == OutputKind.Sigmoid ? ["O", "PER"] : ["O", "PER", "LOC", "ORG"],
            Features = [new FeatureSpec("word", 12, 10), new FeatureSpec("caps", 3, 4)],
        };
        var model = new WindowModel<float>(config);
        model.Initialize(new Random(seed), 0.5);
        return model;
    }

    /// <summary>Windows over a 12-word vocabulary (ids (n, C, F)), so consecutive windows often share rows.</summary>
    private static (int[] Ids, int[] Labels) Windows(int n, int classes, int seed)
    {
        var rng = new Random(seed);
        var ids = new int[n * Window * 2];
        for (int i = 0; i < n * Window; i++)
        {
            ids[2 * i] = rng.Next(12);
            ids[2 * i + 1] = rng.Next(3);
        }
        var labels = Enumerable.Range(0, n).Select(_ => rng.Next(classes)).ToArray();
        return (ids, labels);
    }

    public static TheoryData<int, int, int, bool> Cases() => new()
    {
        { 1, (int)OutputKind.Softmax, (int)ActivationKind.Tanh, false },
        { 2, (int)OutputKind.Softmax, (int)ActivationKind.Tanh, false },
        { 3, (int)OutputKind.Softmax, (int)ActivationKind.Relu, false },
        { 2, (int)OutputKind.Sigmoid, (int)ActivationKind.Tanh, false },
        { 2, (int)OutputKind.Softmax, (int)ActivationKind.Tanh, true },
        { 1, (int)OutputKind.Sigmoid, (int)ActivationKind.HardTanh, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_pipeline_is_the_per_window_sgd_step_up_to_rounding(int threads, int output, int activation, bool fixWords)
    {
        var kind = (OutputKind)output;
        // 37 hidden units: blocks that are not multiples of the kernel's 4 rows; x is 5 × 14 = 70 wide (a ragged column block).
        var pipelined = NewModel(kind, (ActivationKind)activation, hidden: 37, seed: 3);
        var plain = WindowModel<float>.FromParameters(pipelined.Config, new Parameters<float>(WindowModel<float>.Layout(pipelined.Config)));
        pipelined.Parameters.Values.CopyTo(plain.Parameters.Values, 0);
        var (ids, labels) = Windows(300, pipelined.Config.OutputDim == 1 ? 2 : 4, seed: 4);
        bool[] train = [!fixWords, true];

        var pipeline = new SgdPipeline(pipelined, threads);
        Assert.Equal(threads, pipeline.Threads);
        double pipelinedLoss = 0;
        for (int start = 0; start < 300; start += 128) // chunks of 128, 128 and 44 windows
        {
            int count = Math.Min(128, 300 - start);
            pipelinedLoss += pipeline.Steps(ids[(start * Window * 2)..], labels[start..], count, 0.1f, train);
        }

        var ws = plain.CreateWorkspace(1);
        double plainLoss = 0;
        for (int t = 0; t < 300; t++)
            plainLoss += plain.SgdStep(ws, ids.AsSpan(t * Window * 2, Window * 2), labels.AsSpan(t, 1), 0.1f, train);

        Assert.True(Math.Abs(pipelinedLoss - plainLoss) <= 1e-4 * Math.Abs(plainLoss), $"loss {pipelinedLoss} vs {plainLoss}");
        var a = pipelined.Parameters.Values;
        var b = plain.Parameters.Values;
        double worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - b[i]) / (1 + Math.Abs(b[i])));
        Assert.True(worst < 1e-4, $"largest parameter difference {worst:E2}");
        // The steps moved the parameters (the comparison is not between two untouched models), the fixed table excepted.
        var initial = NewModel(kind, (ActivationKind)activation, hidden: 37, seed: 3).Parameters;
        var words = pipelined.Parameters["L"];
        Assert.NotEqual(initial.Value(pipelined.Parameters["W"]).ToArray(), pipelined.Parameters.Value(pipelined.Parameters["W"]).ToArray());
        Assert.Equal(fixWords, initial.Value(words).SequenceEqual(pipelined.Parameters.Value(words)));
    }

    [Fact]
    public void A_thread_count_gives_the_same_model_every_time()
    {
        float[] Run()
        {
            var model = NewModel(OutputKind.Softmax, ActivationKind.Tanh, hidden: 64, seed: 5);
            var (ids, labels) = Windows(500, 4, seed: 6);
            new SgdPipeline(model, 2).Steps(ids, labels, 500, 0.05f, [true, true]);
            return model.Parameters.Values;
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void Deep_networks_and_the_crf_are_not_pipelined()
    {
        var deep = new WindowModel<float>(new ModelConfig { Hidden = [8, 8], Labels = ["O", "X"], Features = [new FeatureSpec("word", 4, 3)] });
        Assert.Throws<ArgumentException>(() => new SgdPipeline(deep, 1));
        var crf = new WindowModel<float>(new ModelConfig { Output = OutputKind.Crf, Labels = ["O", "X"], Features = [new FeatureSpec("word", 4, 3)] });
        Assert.Throws<ArgumentException>(() => new SgdPipeline(crf, 1));
    }
}
