using System.Collections.Concurrent;
using Nerve.Autodiff;
using Nerve.Corpus;
using Nerve.Diagnostics;
using Nerve.Evaluation;
using Nerve.Features;
using Nerve.Model;
using Nerve.Tagging;
using Nerve.Training;
using Xunit.Abstractions;

namespace Nerve.Tests.Training;

/// <summary>Lock-free batch-1 SGD over threads (<see cref="TrainOptions.Hogwild"/>, Recht et al. 2011).</summary>
public sealed class HogwildTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nerve-hogwild-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // About 2,200 windows: three Hogwild chunks per epoch at one thread, two at two.
    private static readonly List<Sentence> Train = Synthetic.Corpus(300, seed: 1);
    private static readonly List<Sentence> Dev = Synthetic.Corpus(80, seed: 2);
    private static readonly TrainOptions Sgd = new() { Optimizer = OptimizerKind.Sgd, Batch = 1, LearningRate = 0.05, Epochs = 6 };

    private static (NerModel, TrainResult) Fit(TrainOptions o, string? checkpoint = null, bool resume = false, ITrainingObserver? observer = null, CancellationToken cancel = default)
    {
        var model = Synthetic.NewModel(Train, seed: o.Seed);
        var result = new Trainer(model, Train, Dev, o, ModelEvaluation.F1).Train(observer, null, checkpoint, resume, cancel);
        return (model, result);
    }

    [Fact]
    public void One_thread_hogwild_is_the_per_window_step_and_the_plain_run_up_to_rounding()
    {
        var o = Sgd with { Epochs = 1 }; // one epoch: the trainer returns the best epoch's parameters, here the last
        var (hogwild, b) = Fit(o with { Hogwild = true });
        // One Hogwild worker runs WindowModel.SgdStep on each window of the epoch's order: the same, bit for bit.
        var model = Synthetic.NewModel(Train, seed: o.Seed);
        var windows = model.Windows(Train);
        var ws = model.Network.CreateWorkspace(1);
        var order = new int[windows.Count];
        var ids = new int[windows.WindowWidth];
        var label = new int[1];
        Trainer.Shuffle(order, o.Seed, 1);
        bool[] train = [.. Enumerable.Repeat(true, model.Config.Features.Count)];
        foreach (int w in order)
        {
            windows.Gather([w], ids, label);
            model.Network.SgdStep(ws, ids, label, (float)o.LearningRate, train);
        }
        Assert.Equal(model.Network.Parameters.Values, hogwild.Network.Parameters.Values);
        // The plain run takes the pipelined step (SgdPipeline): the same SGD in another order of float operations.
        var (plain, a) = Fit(o);
        var p = plain.Network.Parameters.Values;
        var h = hogwild.Network.Parameters.Values;
        double worst = 0;
        for (int i = 0; i < p.Length; i++) worst = Math.Max(worst, Math.Abs(p[i] - h[i]) / (1 + Math.Abs(h[i])));
        Assert.True(worst < 1e-3, $"largest parameter difference {worst:E2}");
        Assert.Equal(b.Epochs[0].Loss, a.Epochs[0].Loss, 1e-4);
    }

    [Fact]
    public void Two_threads_learn_about_as_well_as_one()
    {
        var (_, one) = Fit(Sgd);
        var (_, two) = Fit(Sgd with { Hogwild = true, Threads = 2 });
        output.WriteLine($"dev F1: one thread {one.BestF1:F2}, Hogwild on two {two.BestF1:F2}; loss {one.Epochs[0].Loss:F4} → {one.Epochs[^1].Loss:F4} and {two.Epochs[0].Loss:F4} → {two.Epochs[^1].Loss:F4}");
        // The task is nearly separable and one thread reaches > 95 (TrainerTests). Updates lost to races are a small
        // share of thousands per epoch, so Hogwild should get there too, within 3 points of the one-thread run.
        Assert.True(two.BestF1 > 95, $"Hogwild dev F1 {two.BestF1:F2}");
        Assert.True(Math.Abs(two.BestF1 - one.BestF1) < 3, $"Hogwild {two.BestF1:F2} vs one thread {one.BestF1:F2}");
        Assert.True(two.Epochs[^1].Loss < two.Epochs[0].Loss / 2, $"loss {two.Epochs[0].Loss:F4} → {two.Epochs[^1].Loss:F4}");
    }

    [Fact]
    public void Two_workers_writing_at_the_same_time_still_learn()
    {
        // The trainer's loop, on a source that holds each worker's first window until the other has one too, so the two
        // slices of the first chunk start together (on a busy machine the team's helper may otherwise start late).
        var model = Synthetic.NewModel(Train, seed: 1);
        var windows = model.Windows(Train);
        using var data = new MeetingWindows(windows, 2);
        var o = Sgd with { Hogwild = true, Threads = 2 };
        var step = TrainSteps.Create(new StepSetup(model.Network, new Optimizer<float>(model.Network.Parameters, o.Optimizer), [true], o, (m, b) => new ManualBackprop<float>(m, b)), data);
        Assert.IsType<HogwildStep>(step);
        var order = new int[windows.Count];
        for (int epoch = 1; epoch <= 3; epoch++)
        {
            Trainer.Shuffle(order, 1, epoch);
            for (int start = 0; start < order.Length; start += step.Stride)
                step.Run(order, start, Math.Min(step.Stride, order.Length - start), (float)o.LearningRate, epoch);
        }
        double f1 = ModelEvaluation.F1(model, Dev);
        output.WriteLine($"dev F1 after 3 epochs with overlapping workers: {f1:F2}");
        Assert.True(f1 > 95, $"dev F1 {f1:F2}");
    }

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(3, 301)]
    public void Every_window_of_the_range_is_stepped_once(int threads, int count)
    {
        var shape = new BenchOptions { Vocabulary = 300, Tokens = 1200, Hidden = 9, Dim = 5, Classes = 5 };
        var model = Bench.Model(shape);
        var data = new CountingWindows(new SyntheticWindows(shape.Tokens, shape.Vocabulary, shape.Window, shape.Classes, 4), shape.Tokens);
        var o = new TrainOptions { Optimizer = OptimizerKind.Sgd, Hogwild = true, Threads = threads };
        var step = TrainSteps.Create(new StepSetup(model, new Optimizer<float>(model.Parameters, o.Optimizer), [true], o, (m, b) => new ManualBackprop<float>(m, b)), data);
        Assert.IsType<HogwildStep>(step);
        var order = new int[shape.Tokens];
        Trainer.Shuffle(order, 1, 1);
        const int offset = 17;
        double loss = step.Run(order, offset, count, 0.01f, 1);
        for (int i = 0; i < order.Length; i++)
            Assert.Equal(i >= offset && i < offset + count ? 1 : 0, data.Seen[order[i]]);
        Assert.True(loss > 0 && double.IsFinite(loss), $"loss {loss}");
    }

    [Fact]
    public void An_interrupted_one_thread_run_resumes_to_the_same_model()
    {
        var o = Sgd with { Hogwild = true, Epochs = 3 };
        var (full, _) = Fit(o);
        string ckpt = Path.Combine(_dir, "m.ckpt");
        using var cts = new CancellationTokenSource();
        var (_, first) = Fit(o, ckpt, observer: new StopAfter(2, 1000, cts), cancel: cts.Token); // after the first chunk of epoch 2
        Assert.True(first.Interrupted);
        var (resumed, second) = Fit(o, ckpt, resume: true);
        Assert.False(second.Interrupted);
        Assert.Equal(full.Network.Parameters.Values, resumed.Network.Parameters.Values);
    }

    [Theory]
    [InlineData(32, OptimizerKind.Sgd, 0.0, 0.0, 0.0, "--batch 32")]
    [InlineData(1, OptimizerKind.AdaGrad, 0.0, 0.0, 0.0, "--optimizer adagrad")]
    [InlineData(1, OptimizerKind.Sgd, 1e-4, 0.0, 0.0, "--l2")]
    [InlineData(1, OptimizerKind.Sgd, 0.0, 0.2, 0.0, "--input-dropout")]
    [InlineData(1, OptimizerKind.Sgd, 0.0, 0.0, 5.0, "--clip")]
    public void Options_the_fused_step_lacks_are_refused(int batch, OptimizerKind optimizer, double l2, double dropout, double clip, string named)
    {
        var o = new TrainOptions { Hogwild = true, Threads = 2, Batch = batch, Optimizer = optimizer, L2 = l2, InputDropout = dropout, ClipNorm = clip };
        var e = Assert.Throws<NerveException>(() => o.Validate());
        Assert.StartsWith("--hogwild needs batch-1 plain SGD", e.Message, StringComparison.Ordinal);
        Assert.Contains("found " + named, e.Message, StringComparison.Ordinal);
        (o with { Hogwild = false }).Validate(); // without --hogwild the same options are fine
    }

    [Fact]
    public void The_crf_head_and_the_graph_engine_are_refused()
    {
        var o = Sgd with { Hogwild = true, Threads = 2 };
        var e = Assert.Throws<NerveException>(() => o.Validate(OutputKind.Crf));
        Assert.Contains("found --output crf", e.Message, StringComparison.Ordinal);
        var model = Synthetic.NewModel(Train, seed: 1);
        e = Assert.Throws<NerveException>(() => new Trainer(model, Train, Dev, o, ModelEvaluation.F1, (m, b) => new GraphBackprop<float>(m, b)).Train());
        Assert.Contains("found --engine graph", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cli_flag_and_config_key_train_and_refuse_a_batch()
    {
        string train = Path.Combine(_dir, "train.txt"), model = Path.Combine(_dir, "m.nerve"), config = Path.Combine(_dir, "c.json");
        Synthetic.Write(train, Synthetic.Corpus(150, 1));
        string[] common = ["train", "--train", train, "--model", model, "--epochs", "1", "--hidden", "8", "--dim", "6", "--min-count", "1", "--optimizer", "sgd"];
        var (code, output, err) = NerveProcess.Run(null, [.. common, "--hogwild", "--threads", "2"]);
        Assert.True(code == 0, err);
        Assert.Contains("epoch   1", output, StringComparison.Ordinal);
        Assert.Contains("\"Hogwild\":true", NerModel.Load(model).Info["options"], StringComparison.Ordinal);

        (code, output, err) = NerveProcess.Run(null, [.. common, "--hogwild", "--batch", "32"]);
        Assert.Equal(1, code);
        Assert.Equal("nerve: --hogwild needs batch-1 plain SGD (--batch 1 --optimizer sgd, no --l2, dropout or --clip), found --batch 32\n", err);
        Assert.Equal("", output);

        File.WriteAllText(config, """{ "hogwild": true, "output": "crf" }""");
        (code, _, err) = NerveProcess.Run(null, [.. common, "--config", config]);
        Assert.Equal(1, code);
        Assert.Contains("--hogwild needs a softmax or sigmoid head", err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
    }

    private sealed class StopAfter(int epoch, int windows, CancellationTokenSource cts) : ITrainingObserver
    {
        private int _epoch;
        public void EpochStarted(int e, int n) => _epoch = e;
        public void Progress(int done) { if (_epoch == epoch && done >= windows) cts.Cancel(); }
        public void EpochFinished(EpochReport r) { }
    }

    /// <summary>The first window of each of the first <paramref name="threads"/> threads waits until all of them have one.</summary>
    private sealed class MeetingWindows(IWindowSource inner, int threads) : IWindowSource, IDisposable
    {
        private readonly Barrier _barrier = new(threads);
        private readonly ConcurrentDictionary<int, bool> _seen = new();

        public int WindowWidth => inner.WindowWidth;

        public void Dispose() => _barrier.Dispose();

        public void Gather(ReadOnlySpan<int> windows, Span<int> ids, Span<int> labels)
        {
            if (_seen.Count < threads && _seen.TryAdd(Environment.CurrentManagedThreadId, true) && _seen.Count <= threads)
                Assert.True(_barrier.SignalAndWait(TimeSpan.FromMinutes(1)), "the workers never ran at the same time"); // a deadlock guard, not a timing
            inner.Gather(windows, ids, labels);
        }
    }

    /// <summary>Counts how often each window is gathered (from any thread).</summary>
    private sealed class CountingWindows(IWindowSource inner, int count) : IWindowSource
    {
        public int[] Seen { get; } = new int[count];

        public int WindowWidth => inner.WindowWidth;

        public void Gather(ReadOnlySpan<int> windows, Span<int> ids, Span<int> labels)
        {
            foreach (int w in windows) Interlocked.Increment(ref Seen[w]);
            inner.Gather(windows, ids, labels);
        }
    }
}
