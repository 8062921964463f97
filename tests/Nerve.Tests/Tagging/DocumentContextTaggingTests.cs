using System.Text;
using Nerve.Corpus;
using Nerve.Features;
using Nerve.Jobs;
using Nerve.Model;
using Nerve.Tagging;

namespace Nerve.Tests.Tagging;

/// <summary>
/// A model with document features (<see cref="DocumentContext"/>) computes them from whole documents on every path:
/// reading a file and <see cref="ModelTagging.Predict"/> (any thread count), streaming with <see cref="ColumnTagger"/>
/// (any chunk size and thread count), and <see cref="Recognition"/> (one text, one document).
/// </summary>
public sealed class DocumentContextTaggingTests
{
    private static readonly List<Sentence> Train = Synthetic.Corpus(200, 1);

    /// <summary>A small untrained model with caps and document features (shared with <see cref="DocumentSeparatorTests"/>).</summary>
    internal static NerModel NewModel(int seed = 3)
    {
        var vocab = Vocabulary.BuildFromCorpus(Train, 1, lowercase: true);
        var featurizer = Featurizer.Build(vocab, new FeatureOptions { Caps = true, DocContext = 3 }, Train);
        var config = new ModelConfig { Window = 3, Hidden = [16], Labels = ["O", "I-LOC", "I-PER"], Features = featurizer.Specs(8) };
        var net = new WindowModel<float>(config);
        net.Initialize(new Random(seed), 0.5);
        return new NerModel(net, featurizer, TagScheme.IOB1, TagScheme.IOB1);
    }

    /// <summary>Documents of a few sentences each, with upper- and lowercase variants of the same words.</summary>
    private static string Conll(int documents, int seed)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder();
        foreach (var (s, i) in Synthetic.Corpus(documents * 4, seed).Select((s, i) => (s, i)))
        {
            if (i % 4 == 0 || rng.Next(8) == 0) sb.Append("-DOCSTART- -X- O\n\n");
            for (int t = 0; t < s.Count; t++)
            {
                string w = rng.Next(5) == 0 ? s.Words[t].ToUpperInvariant() : rng.Next(5) == 0 ? s.Words[t].ToLowerInvariant() : s.Words[t];
                sb.Append(w).Append(" NN ").Append(s.Tags[t]).Append('\n');
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string Whole(NerModel model, string text, int threads = 1)
    {
        var corpus = CorpusReader.Read(new StringReader(text), "in.txt", CorpusFormat.Auto, null, requireTags: false);
        var prediction = model.Predict(corpus.Sentences, threads);
        var w = new StringWriter { NewLine = "\n" };
        CorpusWriter.Write(w, corpus.Sentences, prediction.Tags, corpus.Delimiter, keepGold: true);
        return w.ToString() + string.Join(",", prediction.Confidence.SelectMany(c => c));
    }

    [Theory]
    [InlineData(1, 64)]      // a chunk would end after a sentence or two: documents keep chunks whole
    [InlineData(3, 64)]
    [InlineData(2, 900)]
    [InlineData(3, 1 << 19)]
    public void Streaming_tags_whole_documents_as_reading_the_file_does(int threads, int chunkChars)
    {
        var model = NewModel();
        string text = Conll(30, 5);
        var corpus = CorpusReader.Read(new StringReader(text), "in.txt", CorpusFormat.Auto, null, requireTags: false);
        var prediction = model.Predict(corpus.Sentences);
        var w = new StringWriter { NewLine = "\n" };
        CorpusWriter.Write(w, corpus.Sentences, prediction.Tags, corpus.Delimiter, keepGold: true);
        using var output = new MemoryStream();
        var result = ColumnTagger.Tag(model, new StringReader(text), "in.txt", output, CorpusFormat.Auto, null, threads, chunkChars);
        Assert.Equal(w.ToString(), Encoding.UTF8.GetString(output.ToArray()));
        Assert.Equal(corpus.Documents, result.Documents);
    }

    [Fact]
    public void Predictions_do_not_depend_on_threads_and_survive_save_and_load()
    {
        var model = NewModel();
        string text = Conll(30, 7);
        string one = Whole(model, text);
        Assert.Equal(one, Whole(model, text, threads: 3));
        string path = Path.Combine(Path.GetTempPath(), $"nerve-doc-{Environment.ProcessId}-{Guid.NewGuid():N}.nerve");
        try
        {
            model.Save(path);
            var loaded = NerModel.Load(path);
            Assert.True(loaded.Featurizer.HasDocumentContext);
            Assert.Equal(model.Config.Features, loaded.Config.Features);
            Assert.Equal(one, Whole(loaded, text));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_document_around_a_sentence_changes_its_features_and_scores()
    {
        var model = NewModel();
        Sentence S(string text, int doc) => new(text.Split(' '), [.. text.Split(' ').Select(_ => "O")]) { Document = doc };
        var target = "Paris met Alice";
        var alone = model.Predict([S(target, 0), S("said he to the", 1)]);
        var withContext = model.Predict([S(target, 0), S("he said to Paris Alice", 0)]);
        Assert.NotEqual(alone.Confidence[0], withContext.Confidence[0]);
        var windows = model.Windows([S(target, 0), S("he said to Paris Alice", 0)]);
        var ids = new int[windows.WindowWidth];
        windows.GatherRange(0, 1, ids); // the window of "Paris": the centre slot of three
        int f = model.Featurizer.Count, col = model.Featurizer.DocumentColumn;
        Assert.Equal([2, 3], ids.AsSpan(f + col, 2).ToArray()); // capitalised elsewhere, starts "Paris Alice"
    }

    [Fact]
    public void Each_text_is_one_document_in_recognize_and_recognize_many()
    {
        var model = NewModel();
        string a = "Paris met Alice today. Then Alice said Paris was cold.", b = "the visit to paris. ALICE met bob.";
        var many = model.RecognizeMany([a, b]).ToList();
        Assert.Equal(Json(model.Recognize(a)), Json(many[0]));
        Assert.Equal(Json(model.Recognize(b)), Json(many[1]));
        // The same sentences, as one document, through Predict.
        var sentences = Tokenizer(a);
        var p = model.Predict(sentences);
        Assert.Equal(p.Tags.SelectMany(t => t), many[0].Tokens.Select(t => t.Tag));
        var expected = p.Confidence.SelectMany(c => c).ToArray();
        var scores = many[0].Tokens.Select(t => t.Score).ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], scores[i], 1e-5);
    }

    private static List<Sentence> Tokenizer(string text)
        => [.. Nerve.Text.Tokenizer.Sentences(text).Select(s => new Sentence([.. s.Select(t => t.Text)], [.. s.Select(_ => "O")]))];

    private static string Json(RecognizedDocument d) => string.Join("|", d.Entities.Select(e => $"{e.Start}:{e.End}:{e.Label}:{e.Score}"))
        + "#" + string.Join("|", d.Tokens.Select(t => $"{t.Text}:{t.Tag}:{t.Score}"));

    [Fact]
    public void The_option_binds_and_a_model_without_it_saves_no_key()
    {
        var o = new TrainSettings { DocContext = 4 }.ApplyTo(new TrainJobOptions { TrainPath = "t", ModelPath = "m" });
        Assert.Equal(4, o.Features.DocContext);
        Assert.Throws<NerveException>(() => new TrainSettings { DocContext = -1 }.ApplyTo(new TrainJobOptions { TrainPath = "t", ModelPath = "m" }));
        Assert.DoesNotContain("DocContext", System.Text.Json.JsonSerializer.Serialize(new FeatureOptions()), StringComparison.Ordinal);
        Assert.Contains("\"DocContext\":4", System.Text.Json.JsonSerializer.Serialize(o.Features), StringComparison.Ordinal);
    }
}
