using Nerve.Jobs;
using Nerve.Model;
using Nerve.Training;

namespace Nerve.Tests.Jobs;

public sealed class TrainHistoryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nerve-history-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_model_file_keeps_every_epochs_report()
    {
        string train = Path.Combine(_dir, "train.txt"), dev = Path.Combine(_dir, "dev.txt"), path = Path.Combine(_dir, "m.nerve");
        Synthetic.Write(train, Synthetic.Corpus(120, 1));
        Synthetic.Write(dev, Synthetic.Corpus(30, 2));
        var o = new TrainJobOptions
        {
            TrainPath = train, DevPath = dev, ModelPath = path, Dim = 8, Hidden = [8], MinCount = 1,
            Training = new TrainOptions { Epochs = 3, Threads = 1 },
        };
        var (_, result) = TrainJob.Run(o);

        var history = TrainHistory.Read(NerModel.Load(path));
        Assert.Equal([1, 2, 3], history.Select(h => h.Epoch));
        Assert.Equal(result.Epochs.Select(e => (e.Loss, e.TrainF1, e.DevF1, e.Best)), history.Select(h => (h.Loss, h.TrainF1, h.DevF1, h.Best)));
        Assert.DoesNotContain("seconds", NerModel.Load(path).Info[TrainHistory.Key], StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_model_without_history_reads_as_empty_and_a_bad_one_fails_in_one_line()
    {
        var model = Synthetic.NewModel(Synthetic.Corpus(20, 1), 1);
        Assert.Empty(TrainHistory.Read(model));
        model.Info[TrainHistory.Key] = "[{\"epoch\": \"x\"}]";
        var e = Assert.Throws<NerveException>(() => TrainHistory.Read(model));
        Assert.Contains("info.history", e.Message, StringComparison.Ordinal);
    }
}
