using Nerve.Corpus;
using Nerve.Evaluation;
using Nerve.Model;
using Nerve.Tagging;
using Nerve.Training;

namespace Nerve.Tests.Training;

public sealed class TrainerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nerve-trainer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly List<Sentence> Train = Synthetic.Corpus(300, seed: 1);
    private static readonly List<Sentence> Dev = Synthetic.Corpus(80, seed: 2);

    private static (NerModel, TrainResult) Fit(TrainOptions o, string? checkpoint = null, bool resume = false, ITrainingObserver? observer = null, CancellationToken cancel = default)
    {
        var model = Synthetic.NewModel(Train, seed: o.Seed);
        var result = new Trainer(model, Train, Dev, o, ModelEvaluation.F1).Train(observer, null, checkpoint, resume, cancel);
        return (model, result);
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd, 1, 0.05)]
    [InlineData(OptimizerKind.AdaGrad, 1, 0.05)]
    [InlineData(OptimizerKind.AdaGrad, 16, 0.2)]
    public void Learns_the_synthetic_entities(OptimizerKind optimizer, int batch, double lr)
    {
        var (_, result) = Fit(new TrainOptions { Optimizer = optimizer, Batch = batch, LearningRate = lr, Epochs = 6 });
        Assert.True(result.BestF1 > 95, $"best dev F1 {result.BestF1:F2}");
        Assert.True(result.Epochs[^1].Loss < result.Epochs[0].Loss);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(8, 1)]
    [InlineData(8, 2)]
    public void Same_seed_data_and_threads_give_the_same_model(int batch, int threads)
    {
        var o = new TrainOptions { Batch = batch, Threads = threads, Epochs = 2, L2 = 1e-4 };
        var (a, _) = Fit(o);
        var (b, _) = Fit(o);
        Assert.Equal(a.Network.Parameters.Values, b.Network.Parameters.Values);
        var (c, _) = Fit(o with { Seed = 2 });
        Assert.NotEqual(a.Network.Parameters.Values, c.Network.Parameters.Values);
    }

    [Fact]
    public void Each_epoch_has_its_own_fixed_order()
    {
        var order = new int[50];
        Trainer.Shuffle(order, seed: 1, epoch: 1);
        int[] first = (int[])order.Clone();
        Trainer.Shuffle(order, seed: 1, epoch: 2);
        Assert.NotEqual(first, order);
        Trainer.Shuffle(order, seed: 1, epoch: 1);
        Assert.Equal(first, order);
        Assert.Equal(Enumerable.Range(0, 50), first.Order());
    }

    [Fact]
    public void Data_parallel_gradients_equal_the_single_thread_batch_gradient()
    {
        // Two workers sum the same per-window terms as one; in float only the summation order differs.
        var o = new TrainOptions { Batch = 8, Epochs = 1, Optimizer = OptimizerKind.Sgd, LearningRate = 0.1 };
        var (one, _) = Fit(o with { Threads = 1 });
        var (two, _) = Fit(o with { Threads = 2 });
        var x = one.Network.Parameters.Values;
        var y = two.Network.Parameters.Values;
        for (int i = 0; i < x.Length; i++) Assert.Equal(x[i], y[i], 1e-4f);
    }

    /// <summary>Cancels the run once epoch <paramref name="epoch"/> has done <paramref name="windows"/> units (shared with AveragingTests).</summary>
    internal sealed class StopAfter(int epoch, int windows, CancellationTokenSource cts) : ITrainingObserver
    {
        private int _epoch;
        public void EpochStarted(int e, int n) => _epoch = e;
        public void Progress(int done) { if (_epoch == epoch && done >= windows) cts.Cancel(); }
        public void EpochFinished(EpochReport r) { }
    }

    [Theory]
    [InlineData(1, 1)]   // at the first batch of epoch 2
    [InlineData(2, 100)] // in the middle of epoch 2
    public void An_interrupted_run_resumes_to_the_same_model(int batch, int stopAt)
    {
        var o = new TrainOptions { Batch = batch, Epochs = 3, Seed = 5 };
        var (full, fullResult) = Fit(o);

        string ckpt = Path.Combine(_dir, "m.ckpt");
        using var cts = new CancellationTokenSource();
        var (_, first) = Fit(o, ckpt, observer: new StopAfter(2, stopAt, cts), cancel: cts.Token);
        Assert.True(first.Interrupted);
        Assert.True(File.Exists(ckpt));
        var (resumed, second) = Fit(o, ckpt, resume: true);
        Assert.False(second.Interrupted);
        Assert.Equal(full.Network.Parameters.Values, resumed.Network.Parameters.Values);
        Assert.Equal(fullResult.BestEpoch, second.BestEpoch);
        Assert.Equal(3, second.Epochs.Count);
    }

    [Fact]
    public void Resuming_with_other_options_is_refused()
    {
        string ckpt = Path.Combine(_dir, "m.ckpt");
        using var cts = new CancellationTokenSource();
        Fit(new TrainOptions { Epochs = 2 }, ckpt, observer: new StopAfter(1, 1, cts), cancel: cts.Token);
        var e = Assert.Throws<NerveException>(() => Fit(new TrainOptions { Epochs = 2, LearningRate = 0.5 }, ckpt, resume: true));
        Assert.Contains("other training options", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_saved_model_loads_and_predicts_identically()
    {
        var (model, _) = Fit(new TrainOptions { Epochs = 2 });
        string path = Path.Combine(_dir, "m.nerve");
        model.Save(path);
        var loaded = NerModel.Load(path);
        Assert.Equal(model.Config.ToJson(), loaded.Config.ToJson());
        Assert.Equal(model.Words.Words, loaded.Words.Words);
        Assert.Equal(model.Network.Parameters.Values, loaded.Network.Parameters.Values);
        var a = model.Predict(Dev);
        var b = loaded.Predict(Dev, threads: 2);
        Assert.Equal(a.Tags, b.Tags);
        Assert.Equal(a.Confidence, b.Confidence);
    }

    [Fact]
    public void Loading_a_file_that_is_not_a_model_is_a_clear_error()
    {
        string path = Path.Combine(_dir, "bad.nerve");
        File.WriteAllText(path, "hello");
        var e = Assert.ThrowsAny<NerveException>(() => NerModel.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }
}
