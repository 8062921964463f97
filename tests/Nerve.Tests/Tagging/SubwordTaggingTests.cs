using Nerve.Corpus;
using Nerve.Features;
using Nerve.Model;
using Nerve.Tagging;
using Nerve.Vectors;

namespace Nerve.Tests.Tagging;

/// <summary>
/// A model with composed vectors for unknown words (<see cref="SubwordLexicon"/>): an unseen word reaches the network
/// with the vector its n-grams compose, the same one training would have given it as a row of L.
/// </summary>
public sealed class SubwordTaggingTests
{
    private static readonly List<Sentence> Train = Synthetic.Corpus(200, 1);
    private const int Dim = 8;

    /// <summary>Random rows for every n-gram bucket of a few words' n-grams (3…5), 1000 buckets.</summary>
    private static SubwordTable Table()
    {
        var rng = new Random(5);
        var buckets = new[] { "zanzibar", "paris", "alice", "parisian", "bonnie" }
            .SelectMany(w => Subwords.NGrams(w, 3, 5)).Select(g => (int)(Subwords.Hash(g) % 1000u)).Distinct().ToArray();
        var rows = new float[buckets.Length * Dim];
        for (int i = 0; i < rows.Length; i++) rows[i] = (float)(rng.NextDouble() - 0.5);
        return new SubwordTable(3, 5, 1000, lowercase: true, Dim, buckets, rows);
    }

    private static NerModel NewModel(Vocabulary vocab, SubwordTable? table)
    {
        var featurizer = Featurizer.Build(vocab, new FeatureOptions { Caps = true }, Train, table);
        var config = new ModelConfig { Window = 3, Hidden = [16], Labels = ["O", "I-LOC", "I-PER"], Features = featurizer.Specs(Dim) };
        var net = new WindowModel<float>(config);
        net.Initialize(new Random(3), 0.5);
        return new NerModel(net, featurizer, TagScheme.IOB1, TagScheme.IOB1) { PrecomputeBytes = 0 };
    }

    private static Sentence S(string text) => new(text.Split(' '), [.. text.Split(' ').Select(_ => "O")]);

    [Fact]
    public void An_unseen_word_gets_its_composed_vector_not_uuunkkk()
    {
        var vocab = Vocabulary.BuildFromCorpus(Train, 1, lowercase: true);
        var model = NewModel(vocab, Table());
        int id = model.Featurizer.WordId("Zanzibar");
        Assert.True(id >= vocab.Count);
        var expected = new float[Dim];
        Assert.True(model.Featurizer.Subwords!.Table.Compose("zanzibar", expected));
        Assert.Equal(expected, model.Featurizer.Subwords.Row(id).ToArray());
        Assert.Equal(id, model.Featurizer.WordId("ZANZIBAR")); // lowercased as the vocabulary is
        Assert.Equal(vocab.Lookup("paris"), model.Featurizer.WordId("Paris")); // known words keep their row
        Assert.Equal(vocab.NumberIndex, model.Featurizer.WordId("1234")); // numbers keep their shapes
        Assert.Equal(vocab.UnknownIndex, model.Featurizer.WordId("qqqq")); // no n-gram kept: UUUNKKK
        // Every training word has a row of its own: training never meets a composed id.
        Assert.All(Train.SelectMany(s => s.Words), w => Assert.True(model.Featurizer.WordId(w) < vocab.Count));
    }

    [Fact]
    public void Tagging_composes_the_vector_training_would_have_given_the_word()
    {
        var vocab = Vocabulary.BuildFromCorpus(Train, 1, lowercase: true);
        var table = Table();
        var composedModel = NewModel(vocab, table);
        // The same network, but "zanzibar" trained-in: a row of L initialised with its composed vector (TrainJob's rule).
        var extended = vocab.Extend(["zanzibar"]);
        var rowModel = NewModel(extended, null);
        var from = composedModel.Network.Parameters;
        var to = rowModel.Network.Parameters;
        foreach (var block in from.Blocks) from.Value(block).CopyTo(to.Value(to[block.Name])); // L: its first V rows
        var composed = new float[Dim];
        Assert.True(table.Compose("zanzibar", composed));
        composed.CopyTo(to.Value(to["L"]).Slice(vocab.Count * Dim, Dim));
        var sentences = new List<Sentence> { S("Alice met Zanzibar in Paris"), S("Zanzibar said"), S("the Zanzibar") };
        var a = composedModel.Predict(sentences);
        var b = rowModel.Predict(sentences);
        Assert.Equal(b.Tags, a.Tags);
        Assert.Equal(b.Confidence, a.Confidence);
        Assert.Equal(a.Confidence, composedModel.Predict(sentences, threads: 3).Confidence);
        var unk = NewModel(vocab, null).Predict(sentences); // the same weights, the word as UUUNKKK
        Assert.NotEqual(unk.Confidence, a.Confidence);
        // The cached first-layer tagger path of the row model agrees to float rounding.
        rowModel.PrecomputeBytes = NerModel.DefaultPrecomputeBytes;
        var c = rowModel.Predict(sentences);
        for (int s = 0; s < sentences.Count; s++)
            for (int i = 0; i < sentences[s].Count; i++) Assert.Equal(a.Confidence[s][i], c.Confidence[s][i], 1e-5f);
    }

    [Fact]
    public void The_n_gram_rows_are_saved_in_the_model_and_load_with_the_same_predictions()
    {
        var vocab = Vocabulary.BuildFromCorpus(Train, 1, lowercase: true);
        var model = NewModel(vocab, Table());
        using var dir = new TempDir();
        string path = dir.File("m.nerve");
        model.Save(path);
        var loaded = NerModel.Load(path);
        var t = loaded.Featurizer.Subwords!.Table;
        Assert.Equal(model.Featurizer.Subwords!.Table.BucketIds, t.BucketIds);
        Assert.Equal(model.Featurizer.Subwords.Table.Rows, t.Rows);
        Assert.Equal((3, 5, 1000, true), (t.MinN, t.MaxN, t.Buckets, t.Lowercase));
        var sentences = new List<Sentence> { S("Parisian Bonnie met Zanzibar"), S("Alice said") };
        loaded.PrecomputeBytes = model.PrecomputeBytes; // the plain forward, as NewModel's
        var before = model.Predict(sentences);
        Assert.Equal(before.Confidence, loaded.Predict(sentences).Confidence);
        Assert.Equal(model.Recognize("Bonnie visited Zanzibar.").Tokens, loaded.Recognize("Bonnie visited Zanzibar.").Tokens);
        // The cached tokens (composed words among them) agree with the plain forward to float rounding.
        loaded.PrecomputeBytes = NerModel.DefaultPrecomputeBytes;
        var cached = loaded.Predict(sentences);
        Assert.Equal(before.Tags, cached.Tags);
        for (int s = 0; s < sentences.Count; s++)
            for (int i = 0; i < sentences[s].Count; i++) Assert.Equal(before.Confidence[s][i], cached.Confidence[s][i], 1e-5f);

        // A model without n-grams writes no subword entry at all.
        NewModel(vocab, null).Save(dir.File("plain.nerve"));
        var plain = Nerve.IO.SafeTensorsFile.Read(dir.File("plain.nerve"));
        Assert.False(plain.Metadata.ContainsKey(Featurizer.SubwordsKey));
        Assert.False(plain.Contains("subword_rows"));
        Assert.Null(NerModel.Load(dir.File("plain.nerve")).Featurizer.Subwords);
    }

    [Fact]
    public void The_lexicon_is_bounded_and_hands_each_word_one_id()
    {
        var lexicon = new SubwordLexicon(Table(), first: 100, capacity: 2);
        int a = lexicon.Id("zanzibar"), b = lexicon.Id("parisian");
        Assert.Equal([100, 101], new[] { a, b });
        Assert.Equal(a, lexicon.Id("zanzibar"));
        Assert.Equal(-1, lexicon.Id("bonnie")); // full
        Assert.Equal(2, lexicon.Count);
        var ids = new int[64];
        var many = new SubwordLexicon(Table(), first: 0);
        Parallel.For(0, 64, i => ids[i] = many.Id(new[] { "zanzibar", "parisian", "bonnie", "alice" }[i % 4]));
        Assert.Equal(4, ids.Distinct().Count());
        Assert.Equal(4, many.Count);
    }
}
