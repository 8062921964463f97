using System.Security.Cryptography;
using System.Text;
using Nerve.Cli;
using Nerve.Corpus;
using Nerve.Features;
using Nerve.Jobs;
using Nerve.Model;
using Nerve.Tagging;
using Nerve.Training;

namespace Nerve.Tests.Jobs;

/// <summary>Training, saving and tagging with the character convolution (CharWNN) end to end, on a small synthetic corpus.</summary>
public sealed class CharCnnJobTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nerve-charcnn-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Names = ["Smith", "Jones", "Okafor", "Nakamura", "Dubois", "Kowalski", "Rossi", "Larsen"];
    private static readonly string[] Places = ["Paris", "Lagos", "Osaka", "Bergen", "Turin", "Gdansk", "Leeds", "Quito"];
    private static readonly string[] Fillers = ["the", "talks", "in", "said", "on", "Monday", "and", "met", "visited", "reported", "."];

    /// <summary>Sentences "X said ... in Y ." with names and places from a list, tagged I-PER / I-LOC (IOB1).</summary>
    private string Corpus(string name, int sentences, int seed)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder();
        for (int s = 0; s < sentences; s++)
        {
            sb.Append(Names[rng.Next(Names.Length)]).Append(" I-PER\n");
            for (int i = rng.Next(1, 4); i > 0; i--) sb.Append(Fillers[rng.Next(Fillers.Length - 1)]).Append(" O\n");
            sb.Append("in O\n").Append(Places[rng.Next(Places.Length)]).Append(" I-LOC\n. O\n\n");
        }
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    private TrainJobOptions Options(string model, OutputKind output = OutputKind.Softmax) => TrainCommand.Options(null, new TrainSettings
    {
        Train = [Corpus("train.txt", 60, 1)],
        Dev = Corpus("dev.txt", 20, 2),
        Model = Path.Combine(_dir, model),
        Dim = 8,
        Hidden = [16],
        Output = output,
        Epochs = 2,
        Batch = 4,
        Threads = 2,
        Caps = true,
        CharCnn = true,
        CharDim = 6,
        CharFilters = 7,
        CharMax = 10,
    });

    [Fact]
    [Trait("Category", "Acceptance")]
    public void A_char_cnn_model_trains_deterministically_and_loads_with_the_same_predictions()
    {
        var o = Options("a.nerve");
        var (model, _) = TrainJob.Run(o);
        TrainJob.Run(o with { ModelPath = Path.Combine(_dir, "b.nerve") });
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(o.ModelPath)), SHA256.HashData(File.ReadAllBytes(Path.Combine(_dir, "b.nerve"))));

        Assert.NotNull(model.Config.CharCnn);
        Assert.Equal(new CharCnnConfig(model.Featurizer.Chars!.Size, 6, 7, 3, 10, 2), model.Config.CharCnn); // after word and caps
        var loaded = NerModel.Load(o.ModelPath);
        Assert.Equal(model.Config.CharCnn, loaded.Config.CharCnn);
        Assert.Equal(model.Featurizer.Chars!.Characters, loaded.Featurizer.Chars!.Characters);

        // Unseen words and characters (ü) reach the network through their characters.
        var sentences = CorpusReader.Read(Corpus("test.txt", 15, 3), CorpusFormat.Auto, null).Sentences
            .Append(new Sentence(["Müller", "met", "Okafor", "in", "Zürich", "."], ["I-PER", "O", "I-PER", "O", "I-LOC", "O"])).ToList();
        var before = model.Predict(sentences);
        var after = loaded.Predict(sentences);
        Assert.Equal(before.Tags, after.Tags);
        Assert.Equal(before.Confidence, after.Confidence);

        // The tagger's per-word cache against the plain path that computes every word's feature.
        loaded.PrecomputeBytes = 0;
        var plain = loaded.Predict(sentences, threads: 2);
        Assert.Equal(before.Tags, plain.Tags);
        Assert.Equal(before.Confidence, plain.Confidence);
        var windows = model.Windows(sentences);
        var tagger = model.CreateTagger(windows);
        var classes = new int[windows.Count];
        var buffers = tagger.CreateBuffers(windows.Count);
        var ids = new int[windows.Count * windows.WindowWidth];
        windows.GatherRange(0, windows.Count, ids);
        tagger.Classify(buffers, ids, windows.Count, classes);
        int distinct = sentences.SelectMany(s => s.Words).Distinct(StringComparer.Ordinal).Count();
        Assert.Equal(distinct + 1, tagger.CachedWords); // every distinct word once, and the padding's empty word
    }

    [Fact]
    [Trait("Category", "Acceptance")]
    public void The_crf_head_trains_with_it_and_the_fused_steps_step_aside()
    {
        var o = Options("crf.nerve", OutputKind.Crf);
        var (model, result) = TrainJob.Run(o);
        Assert.True(result.BestF1 > 0);
        Assert.Contains(model.Network.Parameters.Blocks, b => b.Name == "W0");

        var sgd = Options("sgd.nerve");
        sgd = sgd with { Training = sgd.Training with { Batch = 1, Optimizer = OptimizerKind.Sgd, Threads = 1 } };
        var log = new ListLog();
        TrainJob.Run(sgd, log: log);
        Assert.Contains(log.Lines, l => l.StartsWith("step: minibatch of 1 window", StringComparison.Ordinal) && l.Contains("--char-cnn", StringComparison.Ordinal));

        var hogwild = sgd with { Training = sgd.Training with { Hogwild = true } };
        var e = Assert.Throws<NerveException>(() => TrainJob.Run(hogwild));
        Assert.Contains("--char-cnn", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Char_sizes_without_char_cnn_are_refused_and_config_keys_bind()
    {
        Assert.Throws<NerveException>(() => new TrainSettings { CharDim = 10 }.ApplyTo(new TrainJobOptions { TrainPath = "t", ModelPath = "m" }));
        var o = new TrainSettings { CharCnn = true, CharFilters = 30, CharMax = 16 }.ApplyTo(new TrainJobOptions { TrainPath = "t", ModelPath = "m" });
        Assert.Equal(new CharOptions { Filters = 30, MaxLength = 16 }, o.Features.Chars);
        Assert.Null(new TrainSettings { CharCnn = false }.ApplyTo(o).Features.Chars);
    }

    private sealed class ListLog : IJobLog
    {
        public List<string> Lines { get; } = [];
        public void Info(string line) => Lines.Add(line);
        public void Note(string message) => Lines.Add(message);
        public void Warning(string message) => Lines.Add(message);
    }
}
