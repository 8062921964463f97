using System.Text.RegularExpressions;
using Nerve.Jobs;
using Nerve.Training;

namespace Nerve.Tests.Jobs;

public sealed class SweepJobTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nerve-sweep-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Runs_vary_one_option_at_a_time_or_every_combination()
    {
        SweepAxis[] vary = [SweepAxis.Parse("lr=0.01,0.05"), SweepAxis.Parse("window = 3,5,7")];

        Assert.Equal(["lr=0.01", "lr=0.05", "window=3", "window=5", "window=7"], SweepJob.Plan(vary, grid: false).Select(r => r.Id));
        Assert.Equal(6, SweepJob.Plan(vary, grid: true).Count);
        Assert.Equal("lr=0.05,window=7", SweepJob.Plan(vary, grid: true)[^1].Id);
    }

    [Fact]
    public void A_run_binds_its_values_over_the_base_and_shares_the_cores()
    {
        var o = new SweepJobOptions
        {
            Base = new TrainJobOptions { TrainPath = "t", ModelPath = "m", Hidden = [40], Training = new TrainOptions { LearningRate = 0.1 } },
            Vary = [SweepAxis.Parse("lr=0.01"), SweepAxis.Parse("layers=3"), SweepAxis.Parse("caps=true"), SweepAxis.Parse("hidden=64")],
            Parallel = 2, Cores = 4, OutDir = _dir,
        };
        var runs = SweepJob.Plan(o.Vary, grid: true);
        var job = SweepJob.Options(o, Assert.Single(runs));

        Assert.Equal(0.01, job.Training.LearningRate);
        Assert.Equal([64, 64, 64], job.Hidden);
        Assert.True(job.Features.Caps);
        Assert.Equal(2, job.Training.Threads);
        Assert.StartsWith(Path.Combine(_dir, "runs"), job.ModelPath, StringComparison.Ordinal);
        var bad = o with { Vary = [SweepAxis.Parse("speed=1")] };
        Assert.Contains("not an option", Assert.Throws<NerveException>(() => SweepJob.Options(bad, SweepJob.Plan(bad.Vary, false)[0])).Message, StringComparison.Ordinal);
        Assert.Throws<NerveException>(() => SweepAxis.Parse("lr"));
    }

    [Fact]
    public void Runs_that_resolve_to_the_base_train_once()
    {
        var o = new SweepJobOptions
        {
            Base = new TrainJobOptions
            {
                TrainPath = "t", ModelPath = "m", EmbeddingsPath = Path.GetFullPath("v.vec"), Window = 7, Hidden = [400],
                Training = new TrainOptions { LearningRate = 0.05 },
            },
            Vary = [SweepAxis.Parse("window=5,7"), SweepAxis.Parse("hidden=100,400"), SweepAxis.Parse("lr=0.05,0.1"), SweepAxis.Parse("layers=1,2"), SweepAxis.Parse("embeddings=none,v.vec")],
            OutDir = _dir,
        };
        var runs = SweepJob.Plan(o.Vary, grid: false);
        var sameAs = SweepJob.SameAs(runs, runs.ToDictionary(r => r.Id, r => SweepJob.Options(o, r)));

        // window=7 is the base; hidden=400, lr=0.05, layers=1 and the base's vectors by a relative path are the base again.
        Assert.Equal(new Dictionary<string, string> { ["hidden=400"] = "window=7", ["lr=0.05"] = "window=7", ["layers=1"] = "window=7", ["embeddings=v.vec"] = "window=7" }, sameAs);
    }

    [Fact]
    [Trait("Category", "Acceptance")]
    public void A_sweep_over_two_windows_writes_results_and_a_report_and_resumes()
    {
        string train = Path.Combine(_dir, "train.txt"), dev = Path.Combine(_dir, "dev.txt"), outDir = Path.Combine(_dir, "out");
        Synthetic.Write(train, Synthetic.Corpus(300, 1));
        Synthetic.Write(dev, Synthetic.Corpus(60, 2));
        var o = new SweepJobOptions
        {
            Base = new TrainJobOptions { TrainPath = train, DevPath = dev, ModelPath = "", Dim = 8, Hidden = [8], MinCount = 1, Training = new TrainOptions { Epochs = 2 } },
            Vary = [SweepAxis.Parse("window=3,5"), SweepAxis.Parse("dim=8")], // dim=8 is the base, as window=5 is
            Parallel = 2, Cores = 2, OutDir = outDir,
        };

        Assert.Equal(2, SweepJob.Run(o).Count);

        var lines = SweepJob.ReadResults(Path.Combine(outDir, "results.jsonl"));
        Assert.Equal(6, lines.Count);
        Assert.Equal(["dim=8", "window=3", "window=5"], lines.Select(l => l.Run).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(lines.Where(l => l.Run == "window=5").Select(l => (l.Epoch, l.Loss, l.DevF1)), lines.Where(l => l.Run == "dim=8").Select(l => (l.Epoch, l.Loss, l.DevF1)));
        Assert.Equal("8", lines.First(l => l.Run == "dim=8").Options["dim"]);
        Assert.All(lines, l => Assert.True(l.DevF1 is >= 0 and <= 100 && l.TokensPerSecond > 0 && l.Loss > 0));
        Assert.Equal(7, File.ReadAllLines(Path.Combine(outDir, "results.csv")).Length);
        Assert.StartsWith("run,window,dim,epoch,loss,train_f1,dev_f1,tokens_per_s,seconds", File.ReadAllText(Path.Combine(outDir, "results.csv")), StringComparison.Ordinal);
        string vary = File.ReadAllText(Path.Combine(outDir, "vary-1.svg"));
        Assert.Equal(2, Regex.Count(vary, "class=\"series ")); // train and dev
        Assert.Equal(4, Regex.Count(vary, "class=\"point\""));
        Assert.Equal(2, Regex.Count(File.ReadAllText(Path.Combine(outDir, "curves-f1.svg")), "class=\"series "));

        // Interrupted before window=5 finished: only that run trains again, and its old lines are replaced.
        File.Delete(Path.Combine(SweepJob.RunDir(o, SweepJob.Plan(o.Vary, false)[1]), "done"));
        Assert.Equal(["window=5"], SweepJob.Run(o));
        Assert.Equal(6, SweepJob.ReadResults(Path.Combine(outDir, "results.jsonl")).Count);
        Assert.Empty(SweepJob.Run(o));
        Assert.Equal(6, SweepJob.ReadResults(Path.Combine(outDir, "results.jsonl")).Count);
    }
}
