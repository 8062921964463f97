using Nerve.Cli;
using Nerve.Jobs;
using Nerve.Model;
using Nerve.Training;

namespace Nerve.Tests.Jobs;

public sealed class MultiTrainTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nerve-multitrain-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_config_s_train_may_be_a_path_a_comma_list_or_an_array()
    {
        File.WriteAllText(Path.Combine(_dir, "Nerve.slnx"), "");
        string Config(string json)
        {
            string p = Path.Combine(_dir, "c.json");
            File.WriteAllText(p, json);
            return p;
        }
        Assert.Equal([Path.Combine(_dir, "a")], TrainConfig.Read(Config("""{ "train": "a" }""")).Train!);
        Assert.Equal([Path.Combine(_dir, "a"), Path.Combine(_dir, "b")], TrainConfig.Read(Config("""{ "train": "a,b" }""")).Train!);
        Assert.Equal([Path.Combine(_dir, "a"), "/abs/b", Path.Combine(_dir, "c")], TrainConfig.Read(Config("""{ "train": ["a", "/abs/b,c"] }""")).Train!);
        Assert.Throws<NerveDataException>(() => TrainConfig.Read(Config("""{ "train": 3 }""")));
        var o = TrainCommand.Options(TrainConfig.Read(Config("""{ "train": ["a", "b"] }""")), null);
        Assert.Equal([Path.Combine(_dir, "a"), Path.Combine(_dir, "b")], o.TrainPaths);
        Assert.Equal(["x", "y", "z"], TrainSettings.SplitPaths(["x,y", "z"]));
    }

    [Fact]
    public void Several_training_files_train_as_one_corpus()
    {
        string a = Path.Combine(_dir, "a.txt"), b = Path.Combine(_dir, "b.txt"), both = Path.Combine(_dir, "both.txt");
        var first = Synthetic.Corpus(60, 1);
        var second = Synthetic.Corpus(40, 2);
        Synthetic.Write(a, first);
        Synthetic.Write(b, second);
        Synthetic.Write(both, [.. first, .. second]);
        TrainJobOptions Options(string model) => new()
        {
            TrainPath = a, MoreTrainPaths = [b], ModelPath = Path.Combine(_dir, model), Dim = 8, Hidden = [8], MinCount = 1,
            Training = new TrainOptions { Epochs = 2, Threads = 1 },
        };
        var (split, _) = TrainJob.Run(Options("split.nerve"));
        var (joined, _) = TrainJob.Run(Options("joined.nerve") with { TrainPath = both, MoreTrainPaths = [] });
        Assert.Equal(joined.Words.Words, split.Words.Words);
        Assert.Equal(joined.Network.Parameters.Values, split.Network.Parameters.Values);
        Assert.Equal($"{a},{b}", NerModel.Load(Path.Combine(_dir, "split.nerve")).Info["train"]);
        Assert.True(split.Sources!.SeenInTraining(second[0].Words[0]));
    }
}
