using Nerve.Features;
using Nerve.Jobs;
using Nerve.Model;
using Nerve.Training;

namespace Nerve.Tests;

/// <summary>
/// A small trained model of the default model's shape (CRF head; caps, prefix, suffix and gazetteer features), made
/// once per test run: 1 epoch over the first 3,000 sentences of data/conll2003/eng.train, hidden layer 20, words of
/// dimension 20 learnt from scratch (no pretrained vectors), the first 3,000 lines of each gazetteer list.
/// </summary>
internal static class SmallModel
{
    private static readonly Lazy<(NerModel Model, string Path)> Trained = new(Train, LazyThreadSafetyMode.ExecutionAndPublication);

    public static NerModel Model => Trained.Value.Model;

    /// <summary>The model's file.</summary>
    public static string Path => Trained.Value.Path;

    /// <summary>data/conll2003/eng.testa, CoNLL-2003's dev set.</summary>
    public static string Dev => System.IO.Path.Combine(Fixtures.Root(), "data", "conll2003", "eng.testa");

    private static (NerModel, string) Train()
    {
        string dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"nerve-small-model-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(dir, recursive: true);
        string root = Fixtures.Root(), gazetteers = System.IO.Path.Combine(dir, "gazetteers");
        Directory.CreateDirectory(gazetteers);
        foreach (var list in Directory.GetFiles(System.IO.Path.Combine(root, "data", "gazetteers"), "*.txt"))
            File.WriteAllLines(System.IO.Path.Combine(gazetteers, System.IO.Path.GetFileName(list)), File.ReadLines(list).Take(3000));
        string train = System.IO.Path.Combine(dir, "train.txt"), model = System.IO.Path.Combine(dir, "small.nerve");
        File.WriteAllText(train, string.Join("\n\n", File.ReadAllText(System.IO.Path.Combine(root, "data", "conll2003", "eng.train"))
            .Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Take(3000)) + "\n");
        var (trained, _) = TrainJob.Run(new TrainJobOptions
        {
            TrainPath = train,
            ModelPath = model,
            Dim = 20,
            Hidden = [20],
            Output = OutputKind.Crf,
            Features = new FeatureOptions { Caps = true, Prefixes = [3], Suffixes = [2, 3], Gazetteers = gazetteers },
            Training = new TrainOptions { Epochs = 1 },
        });
        return (trained, model);
    }
}
