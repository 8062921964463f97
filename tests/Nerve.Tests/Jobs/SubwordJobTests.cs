using System.Globalization;
using System.Text;
using Nerve.Cli;
using Nerve.Features;
using Nerve.Jobs;
using Nerve.Model;
using Nerve.Vectors;

namespace Nerve.Tests.Jobs;

/// <summary>`nerve train --subwords`: training words without a vector start from their composed one, and the model keeps the n-gram rows.</summary>
public sealed class SubwordJobTests
{
    private const int Dim = 6;

    [Fact]
    [Trait("Category", "Acceptance")]
    public void Training_words_without_a_vector_start_from_their_composed_vector_and_the_model_keeps_the_rows()
    {
        using var dir = new TempDir();
        var train = Synthetic.Corpus(80, 1);
        Synthetic.Write(dir.File("train.txt"), train);
        Synthetic.Write(dir.File("dev.txt"), Synthetic.Corpus(20, 2));
        // Vectors for the filler words only: names and cities must be composed.
        var rng = new Random(4);
        string[] known = ["the", "met", "in", "and", "said", "on", "a", "visit", "to", "from"];
        var vec = new StringBuilder($"{known.Length} {Dim}\n");
        foreach (var w in known) vec.Append(w).Append(string.Concat(Enumerable.Range(0, Dim).Select(_ => " " + (rng.NextDouble() - 0.5).ToString("F4", CultureInfo.InvariantCulture)))).Append('\n');
        File.WriteAllText(dir.File("v.vec"), vec.ToString());
        var words = train.SelectMany(s => s.Words).Select(w => w.ToLowerInvariant()).Distinct().ToList();
        var buckets = words.SelectMany(w => Subwords.NGrams(w, 3, 4)).Select(g => (int)(Subwords.Hash(g) % 500u)).Distinct().ToArray();
        var rows = new float[buckets.Length * Dim];
        for (int i = 0; i < rows.Length; i++) rows[i] = (float)(rng.NextDouble() - 0.5);
        var table = new SubwordTable(3, 4, 500, true, Dim, buckets, rows);
        table.Save(dir.File("v.subwords.gz"));

        var o = TrainCommand.Options(null, new TrainSettings
        {
            Train = [dir.File("train.txt")], Dev = dir.File("dev.txt"), Model = dir.File("m.nerve"), Embeddings = dir.File("v.vec"),
            Subwords = dir.File("v.subwords.gz"), Hidden = [8], Epochs = 1, Threads = 1, FixEmbeddings = true, MinCount = 5,
        });
        var log = new ListLog();
        var (model, _) = TrainJob.Run(o, log: log);
        Assert.Contains(log.Lines, l => l.Contains("composed from n-grams", StringComparison.Ordinal));
        var loaded = NerModel.Load(o.ModelPath);
        var l = loaded.Network.Parameters.Value(loaded.Network.Parameters["L"]);
        var v = new float[Dim];
        foreach (var w in new[] { "alice", "carol", "lima" }) // in training (even once: --min-count gives way), not in the vectors
        {
            int id = loaded.Words.IndexOf(w);
            Assert.True(id >= 0, w);
            Assert.True(table.Compose(w, v));
            Assert.Equal(v, l.Slice(id * Dim, Dim).ToArray()); // fixed embeddings: still the composed start
        }
        // An unseen word composes from the same rows at tagging.
        int unseen = loaded.Featurizer.WordId("Alicesonia");
        Assert.True(unseen >= loaded.Words.Count);
        Assert.True(table.Compose("alicesonia", v));
        Assert.Equal(v, loaded.Featurizer.Subwords!.Row(unseen).ToArray());
        Assert.Equal(dir.File("v.subwords.gz"), loaded.Info["subwords"]);

        Assert.Throws<NerveException>(() => TrainJob.Run(o with { EmbeddingsPath = null, ModelPath = dir.File("x.nerve") }));
    }

    private sealed class ListLog : IJobLog
    {
        public List<string> Lines { get; } = [];
        public void Info(string line) => Lines.Add(line);
        public void Note(string message) => Lines.Add(message);
        public void Warning(string message) => Lines.Add(message);
    }
}
