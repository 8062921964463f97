using Nerve.Autodiff;
using Nerve.Corpus;
using Nerve.Evaluation;
using Nerve.Model;
using Nerve.Tagging;
using Nerve.Training;

namespace Nerve.Tests.Training;

/// <summary>The training strategies as types: which step <see cref="TrainSteps.Create"/> chooses, and the line that says why.</summary>
public class TrainStepsTests
{
    private static readonly List<Sentence> Train = Synthetic.Corpus(40, seed: 3);
    private static readonly TrainOptions Sgd = new() { Optimizer = OptimizerKind.Sgd, Batch = 1, Threads = 2 };

    private static ITrainStep Choose(TrainOptions o, int layers = 1, OutputKind output = OutputKind.Softmax, bool graph = false)
    {
        var model = Synthetic.NewModel(Train, seed: 1);
        var config = model.Config with { Hidden = Enumerable.Repeat(16, layers).ToArray(), Output = output };
        if (Heads.Traits(output).Binary) config = config with { Labels = [config.Labels[0], config.Labels[1]] };
        var net = new WindowModel<float>(config);
        var nerModel = new NerModel(net, model.Featurizer, TagScheme.IOB1, TagScheme.IOB1);
        var windows = nerModel.Windows(Train);
        Func<WindowModel<float>, int, IBackprop<float>> engine = graph ? (m, b) => new GraphBackprop<float>(m, b) : (m, b) => new ManualBackprop<float>(m, b);
        var setup = new StepSetup(net, new Optimizer<float>(net.Parameters, o.Optimizer), [true], o, engine);
        return TrainSteps.Create(setup, windows, windows);
    }

    [Fact]
    public void Batch_one_sgd_of_one_hidden_layer_is_pipelined_over_the_threads()
    {
        var step = Choose(Sgd);
        Assert.IsType<PipelinedSgdStep>(step);
        Assert.Equal("step: pipelined batch-1 SGD on 2 threads (one hidden layer, softmax head, plain SGD)", step.Description);
        Assert.True(step.Chunked);
        Assert.Equal(PipelinedSgdStep.Chunk, step.Stride);
    }

    [Fact]
    public void Batch_one_sgd_of_two_hidden_layers_takes_the_fused_step()
    {
        var step = Choose(Sgd, layers: 2, output: OutputKind.Sigmoid);
        Assert.IsType<FusedSgdStep>(step);
        Assert.Equal("step: fused batch-1 SGD on 1 thread (2 hidden layers, sigmoid head, plain SGD)", step.Description);
        Assert.Equal(1, step.Stride);
    }

    [Theory]
    [InlineData(32, OptimizerKind.Sgd, false, "--batch 32")]
    [InlineData(1, OptimizerKind.AdaGrad, false, "--optimizer adagrad")]
    [InlineData(1, OptimizerKind.Sgd, true, "the graph engine")]
    public void Anything_else_runs_the_data_parallel_minibatch_and_says_why(int batch, OptimizerKind optimizer, bool graph, string why)
    {
        var step = Choose(Sgd with { Batch = batch, Optimizer = optimizer }, graph: graph);
        Assert.IsType<MinibatchStep>(step);
        Assert.StartsWith($"step: minibatch of {(batch == 1 ? "1 window" : batch + " windows")}, data-parallel on {Math.Min(2, batch)} thread", step.Description, StringComparison.Ordinal);
        Assert.EndsWith($"not the fused batch-1 SGD step: {why})", step.Description, StringComparison.Ordinal);
        Assert.False(step.Chunked);
        Assert.Equal(batch, step.Stride);
    }

    [Fact]
    public void Hogwild_when_asked()
    {
        var step = Choose(Sgd with { Hogwild = true });
        Assert.IsType<HogwildStep>(step);
        Assert.Equal("step: Hogwild batch-1 SGD on 2 threads, lock-free (--hogwild, softmax head, plain SGD)", step.Description);
        Assert.Equal(2 * 1024, step.Stride);
    }

    [Fact]
    public void A_sentence_head_trains_on_sentences_whatever_the_batch()
    {
        var step = Choose(Sgd with { Batch = 4 }, output: OutputKind.Crf);
        Assert.IsType<SentenceStep>(step);
        Assert.StartsWith("step: crf sentences, 4 sentences a batch on 2 threads", step.Description, StringComparison.Ordinal);
        Assert.IsType<SentenceStep>(Choose(Sgd, output: OutputKind.Crf));
        Assert.Throws<NerveException>(() => Choose(Sgd with { Hogwild = true }, output: OutputKind.Crf));
    }

    [Fact]
    public void The_trainer_exposes_its_step()
    {
        var model = Synthetic.NewModel(Train, seed: 1);
        var trainer = new Trainer(model, Train, null, new TrainOptions { Batch = 8, Threads = 1 }, ModelEvaluation.F1);
        Assert.StartsWith("step: minibatch of 8 windows, data-parallel on 1 thread (softmax head, adagrad;", trainer.Step, StringComparison.Ordinal);
    }
}
