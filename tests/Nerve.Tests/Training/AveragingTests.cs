using Nerve.Corpus;
using Nerve.Evaluation;
using Nerve.Model;
using Nerve.Training;

namespace Nerve.Tests.Training;

/// <summary>
/// <see cref="TrainOptions.Average"/>: an exponential moving average θ̄ of the iterates is scored and kept, while training
/// goes on from the iterate θ itself.
/// </summary>
public sealed class AveragingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nerve-average-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly List<Sentence> Train = Synthetic.Corpus(200, seed: 1);
    private static readonly List<Sentence> Dev = Synthetic.Corpus(40, seed: 2);

    /// <summary>Trains, recording the parameters each dev scoring saw; every epoch scores higher, so each is the best.</summary>
    private static (NerModel Model, TrainResult Result, List<float[]> Scored) Fit(TrainOptions o, string? checkpoint = null, bool resume = false,
        ITrainingObserver? observer = null, CancellationToken cancel = default)
    {
        var model = Synthetic.NewModel(Train, seed: o.Seed);
        var scored = new List<float[]>();
        double Score(NerModel m, IReadOnlyList<Sentence> gold, int threads)
        {
            if (!ReferenceEquals(gold, Dev)) return ModelEvaluation.F1(m, gold, threads);
            scored.Add((float[])m.Network.Parameters.Values.Clone());
            return scored.Count;
        }
        var result = new Trainer(model, Train, Dev, o, Score).Train(observer, null, checkpoint, resume, cancel);
        return (model, result, scored);
    }

    private static double Distance(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum());

    [Fact]
    public void The_average_is_scored_and_kept_and_training_follows_the_iterate()
    {
        var o = new TrainOptions { Epochs = 3, Seed = 4, HiddenDropout = 0.2 };
        var (plain, plainResult, iterates) = Fit(o);
        var (averaged, result, averages) = Fit(o with { Average = 0.9 });
        // The same trajectory: averaging reads the iterates and never writes them.
        Assert.Equal(plainResult.Epochs.Select(e => e.Loss), result.Epochs.Select(e => e.Loss));
        Assert.Equal(iterates[^1], plain.Network.Parameters.Values);
        // What was scored and kept is the average, not the iterate.
        Assert.Equal(averages[^1], averaged.Network.Parameters.Values);
        for (int e = 0; e < 3; e++) Assert.True(Distance(averages[e], iterates[e]) > 1e-3, $"epoch {e + 1}: the average equals the iterate");
        // A short memory (β = 0.001) follows the iterate closely; a long one (β = 0.9) lags behind it.
        var (_, _, recent) = Fit(o with { Average = 0.001 });
        for (int e = 0; e < 3; e++)
            Assert.True(Distance(recent[e], iterates[e]) < 0.1 * Distance(averages[e], iterates[e]), $"epoch {e + 1}");
    }

    [Fact]
    public void An_interrupted_averaged_run_resumes_to_the_same_model()
    {
        var o = new TrainOptions { Epochs = 3, Seed = 5, Average = 0.99 };
        var (full, _, _) = Fit(o);
        string ckpt = Path.Combine(_dir, "m.ckpt");
        using var cts = new CancellationTokenSource();
        var (_, first, _) = Fit(o, ckpt, observer: new TrainerTests.StopAfter(2, 100, cts), cancel: cts.Token);
        Assert.True(first.Interrupted);
        var (resumed, second, _) = Fit(o, ckpt, resume: true);
        Assert.False(second.Interrupted);
        Assert.Equal(full.Network.Parameters.Values, resumed.Network.Parameters.Values);
        // A checkpoint without the average (made with other options) is refused, as any options change is.
        var e = Assert.Throws<NerveException>(() => Fit(o with { Average = 0.5 }, ckpt, resume: true));
        Assert.Contains("other training options", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void The_decay_must_be_in_zero_to_one(double average)
    {
        var e = Assert.Throws<NerveException>(() => new TrainOptions { Average = average }.Validate());
        Assert.StartsWith("--average must be", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Off_by_default_and_absent_from_the_options_json()
    {
        Assert.Equal(0, new TrainOptions().Average);
        Assert.DoesNotContain("Average", System.Text.Json.JsonSerializer.Serialize(new TrainOptions()), StringComparison.Ordinal);
        Assert.Contains("\"Average\":0.999", System.Text.Json.JsonSerializer.Serialize(new TrainOptions { Average = 0.999 }), StringComparison.Ordinal);
        Assert.Equal(0.999, new Nerve.Jobs.TrainSettings { Average = 0.999 }.ApplyTo(new Nerve.Jobs.TrainJobOptions { TrainPath = "t", ModelPath = "m" }).Training.Average);
    }
}
