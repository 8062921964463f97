using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Nerve.Jobs;
using Nerve.Training;

namespace Nerve.Tests.Jobs;

public sealed class TsneJobTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nerve-tsne-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A tiny model trained from word2vec-format vectors of every synthetic word; returns its path.</summary>
    internal static string TrainWithVectors(string dir)
    {
        string train = Path.Combine(dir, "train.txt"), vec = Path.Combine(dir, "v.vec"), model = Path.Combine(dir, "m.nerve");
        var corpus = Synthetic.Corpus(120, 1);
        Synthetic.Write(train, corpus);
        var words = corpus.SelectMany(s => s.Words).Select(w => w.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal).ToList();
        var rng = new Random(5);
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"{words.Count} 8\n"));
        foreach (var w in words)
            text.Append(w).Append(string.Concat(Enumerable.Range(0, 8).Select(_ => " " + (rng.NextDouble() - 0.5).ToString("F4", CultureInfo.InvariantCulture)))).Append('\n');
        File.WriteAllText(vec, text.ToString());
        TrainJob.Run(new TrainJobOptions
        {
            TrainPath = train, ModelPath = model, EmbeddingsPath = vec, Hidden = [8], MinCount = 1,
            Training = new TrainOptions { Epochs = 2, Threads = 1 },
        });
        return model;
    }

    [Fact]
    public void Draws_the_most_frequent_words_before_and_after_training_deterministically()
    {
        string model = TrainWithVectors(_dir);
        var o = new TsneJobOptions { ModelPath = model, OutPath = Path.Combine(_dir, "a", "tsne.html"), Top = 20, Iterations = 300, Seed = 7 };

        var written = TsneJob.Run(o);
        TsneJob.Run(o with { OutPath = Path.Combine(_dir, "b", "tsne.html") });

        Assert.Equal(["tsne.html", "tsne-before.svg", "tsne-after.svg"], written.Select(Path.GetFileName));
        string html = File.ReadAllText(written[0]);
        Assert.Equal(html, File.ReadAllText(Path.Combine(_dir, "b", "tsne.html")));
        Assert.Equal(40, Regex.Count(html, "class=\"point\""));
        foreach (var svg in written.Skip(1))
        {
            string s = File.ReadAllText(svg);
            Assert.Equal(20, Regex.Count(s, "class=\"point\""));
            Assert.Contains("data-name=\"PER\"", s, StringComparison.Ordinal);
            Assert.Contains("data-name=\"LOC\"", s, StringComparison.Ordinal);
            Assert.Contains("data-name=\"O\"", s, StringComparison.Ordinal);
            Assert.Contains("<title>paris (LOC)</title>", s, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_model_without_vectors_needs_before()
    {
        string train = Path.Combine(_dir, "train.txt"), model = Path.Combine(_dir, "m.nerve");
        Synthetic.Write(train, Synthetic.Corpus(30, 1));
        TrainJob.Run(new TrainJobOptions { TrainPath = train, ModelPath = model, Dim = 4, Hidden = [4], Training = new TrainOptions { Epochs = 1, Threads = 1 } });
        var e = Assert.Throws<NerveException>(() => TsneJob.Run(new TsneJobOptions { ModelPath = model, OutPath = Path.Combine(_dir, "t.html") }));
        Assert.Contains("--before", e.Message, StringComparison.Ordinal);
    }
}
