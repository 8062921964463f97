using System.Text;
using Nerve.Corpus;
using Nerve.Diagnostics;
using Nerve.Features;
using Nerve.Model;
using Nerve.Tagging;
using Nerve.Training;

namespace Nerve.Tests.Tagging;

/// <summary>
/// `nerve tag`'s streaming path (<see cref="ColumnTagger"/>) against reading the whole file, <see cref="NerModel.Predict"/>
/// and <see cref="CorpusWriter"/>: the same bytes for every layout, chunk size and thread count, and the same errors.
/// </summary>
public sealed class ColumnTaggerTests
{
    private static readonly List<Sentence> Train = Synthetic.Corpus(200, 1);

    /// <summary>The output of the whole-file path: read, predict, write.</summary>
    private static string Whole(NerModel model, string text, CorpusFormat format = CorpusFormat.Auto, int? tagColumn = null)
    {
        var corpus = CorpusReader.Read(new StringReader(text), "in.txt", format, tagColumn, requireTags: false);
        var prediction = model.Predict(corpus.Sentences);
        var w = new StringWriter { NewLine = "\n" };
        CorpusWriter.Write(w, corpus.Sentences, prediction.Tags, corpus.Delimiter, keepGold: corpus.ColumnCount > 1);
        return w.ToString();
    }

    private static (string Text, ColumnTagResult Result) Streamed(NerModel model, string text, int threads, int chunkChars, CorpusFormat format = CorpusFormat.Auto, int? tagColumn = null)
    {
        using var output = new MemoryStream();
        var result = ColumnTagger.Tag(model, new StringReader(text), "in.txt", output, format, tagColumn, threads, chunkChars);
        return (Encoding.UTF8.GetString(output.ToArray()), result);
    }

    /// <summary>CoNLL-style text: documents, runs of blank and whitespace-only lines, no newline at the end.</summary>
    private static string Conll(int sentences, int seed)
    {
        var sb = new StringBuilder("-DOCSTART- -X- -X- O\n\n");
        var rng = new Random(seed);
        foreach (var s in Synthetic.Corpus(sentences, seed))
        {
            for (int i = 0; i < s.Count; i++) sb.Append(s.Words[i]).Append(" NN I-NP ").Append(s.Tags[i]).Append('\n');
            sb.Append(rng.Next(6) switch { 0 => "\n\n", 1 => "  \t\n", 2 => "-DOCSTART- -X- -X- O\n\n", _ => "\n" });
        }
        return sb.ToString().TrimEnd('\n');
    }

    [Theory]
    [InlineData(1, 64)]       // a chunk per sentence or two
    [InlineData(3, 64)]
    [InlineData(2, 700)]
    [InlineData(1, 1 << 19)]  // one chunk
    [InlineData(3, 1 << 19)]
    public void Streaming_writes_the_bytes_of_reading_the_whole_file(int threads, int chunkChars)
    {
        var model = Synthetic.NewModel(Train, 3);
        string text = Conll(150, 5);
        var (output, result) = Streamed(model, text, threads, chunkChars);
        Assert.Equal(Whole(model, text), output);
        var corpus = CorpusReader.Read(new StringReader(text), "in.txt", requireTags: false);
        Assert.Equal(corpus.Tokens, result.Tokens);
        Assert.Equal(corpus.Sentences.Count, result.Sentences);
        Assert.Equal(corpus.Documents, result.Documents);
        Assert.Equal(4, result.Layout!.ColumnCount);
    }

    [Theory]
    [InlineData("a\tNN\tI-PER\nb\tVB\tO\n\nc\tNN\tO\n", null)]                    // tabs, tag last
    [InlineData(" a \tI-PER\t NN\nb\tO\tVB  \n\n\nc\tO\tNN\n", 2)]               // tag column in the middle, spaces around fields
    [InlineData("alice   NN  I-PER\nbob NN O\n\n", null)]                       // runs of spaces: columns rejoined
    [InlineData("Alice\nmet\nBob\n\nParis\n", null)]                             // words only
    [InlineData("\uFEFFAlice NN I-PER\r\nmet VB O\r\n\r\nBob NN I-PER\r\n", null)] // BOM and CRLF
    [InlineData("Alice NN I-PER\rmet VB O\r\rBob NN I-PER\r", null)]            // lone CR line ends: one chunk
    [InlineData("\n\n \n", null)]                                                // no tokens at all
    [InlineData("Alice NN I-PER\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\nBob NN O", null)] // a chunk of blank lines only
    public void Every_layout_streams_as_it_reads(string text, int? tagColumn)
    {
        var model = Synthetic.NewModel(Train, 4);
        foreach (int chunk in new[] { 8, 30, 1 << 16 })
            Assert.Equal(Whole(model, text, tagColumn: tagColumn), Streamed(model, text, 2, chunk, tagColumn: tagColumn).Text);
    }

    [Fact]
    public void A_crf_model_with_features_streams_its_tags_in_the_corpus_scheme()
    {
        using var dir = new TempDir();
        dir.Write("LOC.txt", "Paris\nNew York\n");
        var vocab = Vocabulary.BuildFromCorpus(Train, 1, lowercase: true);
        var featurizer = Featurizer.Build(vocab, new FeatureOptions { Caps = true, Prefixes = [2], Suffixes = [3], Gazetteers = dir.Path }, Train);
        var config = new ModelConfig
        {
            Window = 5,
            Hidden = [12],
            Labels = ["O", "B-PER", "I-PER", "E-PER", "S-PER", "B-LOC", "I-LOC", "E-LOC", "S-LOC"],
            Output = OutputKind.Crf,
            Features = featurizer.Specs(6),
        };
        var net = new WindowModel<float>(config);
        net.Initialize(new Random(2));
        var model = new NerModel(net, featurizer, TagScheme.IOB1, TagScheme.BIOES);
        string text = Conll(120, 9).Replace("Paris NN", "New NN I-NP O\nYork NN", StringComparison.Ordinal);
        var (output, _) = Streamed(model, text, 2, 256);
        Assert.Equal(Whole(model, text), output);
        Assert.DoesNotContain(" S-", output, StringComparison.Ordinal); // BIOES labels converted to IOB1
    }

    [Theory]
    [InlineData("a NN O\nb NN\n")]       // a column short
    [InlineData("a\tNN\tO\nb\t\tO\n")]   // an empty field between tabs
    [InlineData("a NN O\nb NN O O\n")]   // a column too many
    public void A_bad_line_far_into_the_file_is_reported_as_the_reader_reports_it(string tail)
    {
        var model = Synthetic.NewModel(Train, 4);
        bool tabs = tail.Contains('\t', StringComparison.Ordinal);
        string good = string.Concat(Enumerable.Repeat(tabs ? "x\tNN\tO\ny\tNN\tO\n\n" : "x NN O\ny NN O\n\n", 400));
        string text = good + tail;
        var expected = Assert.Throws<NerveDataException>(() => CorpusReader.Read(new StringReader(text), "in.txt", requireTags: false));
        Assert.Equal(1202, expected.Line); // 400 sentences of 3 lines, then the tail's second line
        foreach (int threads in new[] { 1, 2 })
        {
            var e = Assert.Throws<NerveDataException>(() => Streamed(model, text, threads, 100));
            Assert.Equal(expected.Message, e.Message);
        }
    }

    [Fact]
    public void Chunks_hold_whole_sentences_and_know_their_first_line()
    {
        string text = "a\r\nb\r\n\r\nc\rd\r\re\n\n" + string.Concat(Enumerable.Range(0, 50).Select(i => $"w{i}\nx\n \n")) + "last";
        var reader = new ColumnChunkReader(new StringReader(text), chunkChars: 16);
        var all = new StringBuilder();
        long line = 1;
        int index = 0;
        while (reader.Next(out var chunk))
        {
            var t = chunk.Text.ToString();
            Assert.Equal(line, chunk.FirstLine);
            Assert.Equal(index++, chunk.Index);
            if (all.Length + t.Length < text.Length)
            {
                // Not the last chunk: it ends with a blank (whitespace-only) line.
                var lines = t.Split('\n');
                Assert.Equal("", lines[^1]);
                Assert.True(string.IsNullOrWhiteSpace(lines[^2]), $"chunk {chunk.Index} ends with {lines[^2]}");
            }
            line += CountLines(t);
            all.Append(t);
            chunk.Release();
        }
        Assert.Equal(text, all.ToString());
        Assert.True(index > 10, $"{index} chunks");
    }

    private static int CountLines(string t)
    {
        int n = 0;
        for (int i = 0; i < t.Length; i++)
            if (t[i] == '\n' || (t[i] == '\r' && (i + 1 == t.Length || t[i + 1] != '\n'))) n++;
        return n;
    }

    [Fact]
    public void A_cache_filled_on_use_scores_exactly_as_one_built_up_front()
    {
        var model = Bench.Model(new BenchOptions { Hidden = 24, Window = 5, Dim = 10, Classes = 5, Vocabulary = 300 });
        var rng = new Random(3);
        var stream = new int[3000];
        for (int i = 0; i < stream.Length; i++) stream[i] = Math.Min(299, (int)Math.Exp(rng.NextDouble() * Math.Log(300)));
        int distinct = stream.Distinct().Count();
        var eager = new WindowTagger(model, 300);         // every row, multiplied out at once
        var lazy = WindowTagger.FillOnUse(model, 300);     // rows as batches first use them
        var small = WindowTagger.FillOnUse(model, 40);     // full early: the rest multiplied out per batch
        Assert.Equal(0, lazy.Cached);
        const int batch = 50;
        var ids = new int[batch * 5];
        var (be, bl, bs) = (eager.CreateBuffers(batch), lazy.CreateBuffers(batch), small.CreateBuffers(batch));
        for (int start = 0; start + batch + 4 <= stream.Length; start += batch)
        {
            for (int i = 0; i < batch; i++) stream.AsSpan(start + i, 5).CopyTo(ids.AsSpan(i * 5, 5));
            eager.Scores(be, ids, batch);
            lazy.Scores(bl, ids, batch);
            small.Scores(bs, ids, batch);
            Assert.Equal(be.Workspace.S.AsSpan(0, batch * 5).ToArray(), bl.Workspace.S.AsSpan(0, batch * 5).ToArray());
            Assert.Equal(be.Workspace.S.AsSpan(0, batch * 5).ToArray(), bs.Workspace.S.AsSpan(0, batch * 5).ToArray());
        }
        Assert.InRange(lazy.Cached, distinct - 10, distinct); // the windows seen: all but the stream's last few tokens
        Assert.Equal(40, small.Cached);
    }

    [Fact]
    public void Threads_filling_one_cache_at_once_tag_as_one_thread()
    {
        var model = Synthetic.NewModel(Train, 6);
        string text = Conll(400, 11);
        var corpus = CorpusReader.Read(new StringReader(text), "in.txt", requireTags: false);
        var one = model.Predict(corpus.Sentences, threads: 1);
        for (int run = 0; run < 3; run++)
        {
            var many = model.Predict(corpus.Sentences, threads: 4);
            Assert.Equal(one.Tags, many.Tags);
            Assert.Equal(one.Confidence, many.Confidence);
        }
    }
}
