using System.Text;
using Nerve.Corpus;
using Nerve.Jobs;
using Nerve.Model;
using Nerve.Tagging;
using Nerve.Text;

namespace Nerve.Tests.Tagging;

/// <summary>
/// <c>--doc-sep blank2</c>: two or more blank lines start a document, as a -DOCSTART- line does, on every path that
/// reads documents (the reader, streaming column tagging, raw text, training files).
/// </summary>
public sealed class DocumentSeparatorTests
{
    private static NerModel NewModel() => DocumentContextTaggingTests.NewModel();

    private static int[] Documents(string text, DocumentSeparator separator)
        => [.. CorpusReader.Read(new StringReader(text), "t.txt", CorpusFormat.Auto, null, requireTags: false, documents: separator).Sentences.Select(s => s.Document)];

    [Fact]
    public void The_reader_starts_a_document_at_two_blank_lines_only_with_blank2()
    {
        const string text = "\n\n\na O\n\nb O\n\n\nc O\n \n\t\nd O\n";
        Assert.Equal([0, 0, 1, 2], Documents(text, DocumentSeparator.Blank2)); // leading blank lines start nothing
        Assert.Equal([0, 0, 0, 0], Documents(text, DocumentSeparator.DocStart));
        // A -DOCSTART- line among the blank lines is one document, not two.
        const string marked = "-DOCSTART- O\n\n\na O\n\n\n-DOCSTART- O\n\n\nb O\n\nc O\n";
        Assert.Equal([1, 2, 2], Documents(marked, DocumentSeparator.Blank2));
        Assert.Equal([1, 2, 2], Documents(marked, DocumentSeparator.DocStart));
        var corpus = CorpusReader.Read(new StringReader(text), "t.txt", CorpusFormat.Auto, null, requireTags: false, documents: DocumentSeparator.Blank2);
        Assert.Equal(2, corpus.Documents);
    }

    /// <summary>Documents of a few sentences, separated by an extra blank line (or by "-DOCSTART-" when marked).</summary>
    private static string Conll(int documents, int seed, bool docStart)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder();
        foreach (var (s, i) in Synthetic.Corpus(documents * 4, seed).Select((s, i) => (s, i)))
        {
            if (i > 0 && (i % 4 == 0 || rng.Next(6) == 0)) sb.Append(docStart ? "-DOCSTART- -X- O\n\n" : "\n");
            for (int t = 0; t < s.Count; t++)
            {
                string w = rng.Next(5) == 0 ? s.Words[t].ToUpperInvariant() : rng.Next(5) == 0 ? s.Words[t].ToLowerInvariant() : s.Words[t];
                sb.Append(w).Append(" NN ").Append(s.Tags[t]).Append('\n');
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string Tags(NerModel model, string text, DocumentSeparator separator, int threads = 1, int chunkChars = 1 << 19)
    {
        using var output = new MemoryStream();
        ColumnTagger.Tag(model, new StringReader(text), "in.txt", output, CorpusFormat.Auto, null, threads, chunkChars, separator);
        return string.Join("\n", Encoding.UTF8.GetString(output.ToArray()).Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-DOCSTART-", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(1, 64)] // a chunk would end after a sentence or two: blank runs keep documents whole
    [InlineData(2, 300)]
    [InlineData(3, 1 << 19)]
    public void Streaming_with_blank2_tags_as_the_same_documents_marked_with_docstart(int threads, int chunkChars)
    {
        var model = NewModel();
        string blank = Conll(25, 5, docStart: false), marked = Conll(25, 5, docStart: true);
        string expected = Tags(model, marked, DocumentSeparator.DocStart);
        Assert.Equal(expected, Tags(model, blank, DocumentSeparator.Blank2, threads, chunkChars));
        // Read whole and predicted: the same tags.
        var corpus = CorpusReader.Read(new StringReader(blank), "in.txt", CorpusFormat.Auto, null, requireTags: false, documents: DocumentSeparator.Blank2);
        var predicted = model.Predict(corpus.Sentences).Tags.SelectMany(t => t);
        Assert.Equal(expected.Split('\n').Select(l => l.Split(' ')[^1]), predicted);
        // Without blank2 the file is one document, and the document features (so some scores) differ.
        Assert.NotEqual(expected, Tags(model, blank, DocumentSeparator.DocStart, threads, chunkChars));
    }

    [Fact]
    public void Blank2_in_raw_text_splits_one_text_into_the_documents_recognize_many_gives()
    {
        var model = NewModel();
        string a = "Paris met Alice today. Then Alice said Paris was cold.", b = "the visit to paris.\n\nALICE met bob.";
        Assert.Equal([a.Length + 3], Tokenizer.DocumentStarts(a + "\n\n\n" + b));
        Assert.Empty(Tokenizer.DocumentStarts("\n\n\n" + b)); // blank lines before the first text start nothing
        var joined = model.Recognize(a + "\n\n\n" + b, new RecognizeOptions { Documents = DocumentSeparator.Blank2 });
        var many = model.RecognizeMany([a, b]).ToList();
        Assert.Equal(many.SelectMany(d => d.Tokens).Select(t => (t.Text, t.Tag, t.Score)), joined.Tokens.Select(t => (t.Text, t.Tag, t.Score)));
        var one = model.Recognize(a + "\n\n\n" + b);
        Assert.NotEqual(one.Tokens.Select(t => t.Score), joined.Tokens.Select(t => t.Score));
    }

    [Fact]
    public void Text_blocks_with_whole_documents_end_only_before_a_document()
    {
        var docs = Enumerable.Range(0, 40).Select(i => string.Join("\n\n", Enumerable.Range(0, 1 + i % 4).Select(p => $"Paragraph {p} of text {i} ."))).ToList();
        string text = string.Join("\n\n\n", docs) + "\n";
        var blocks = Tokenizer.Blocks(new StringReader(text), blockChars: 64, wholeDocuments: true).ToList();
        Assert.True(blocks.Count > 5);
        Assert.Equal(text, string.Concat(blocks));
        foreach (var block in blocks.Skip(1)) Assert.Matches(@"^Paragraph 0 of text \d+ \.", block);
    }

    [Fact]
    public void Several_training_files_never_share_a_document()
    {
        using var dir = new TempDir();
        string a = dir.File("a.txt"), b = dir.File("b.txt");
        File.WriteAllText(a, "Paris B-LOC\nis O\n\nAlice B-PER\nsaid O\n");
        File.WriteAllText(b, "Bob B-PER\nwent O\n\n\nRome B-LOC\nfell O\n");
        var o = new TrainJobOptions { TrainPath = a, MoreTrainPaths = [b], ModelPath = dir.File("m.nerve"), Dim = 4, Hidden = [4], DocSep = DocumentSeparator.Blank2 };
        var (_, train, _) = TrainJob.Build(o);
        var documents = train.Sentences.Select(s => s.Document).ToArray();
        Assert.Equal(4, documents.Length);
        Assert.Equal(documents[0], documents[1]);
        Assert.NotEqual(documents[1], documents[2]); // a's last sentence and b's first: two files
        Assert.NotEqual(documents[2], documents[3]); // two blank lines in b
        Assert.Equal(DocumentSeparator.Blank2, new TrainSettings { DocSep = "blank2" }.ApplyTo(new TrainJobOptions { TrainPath = "t", ModelPath = "m" }).DocSep);
        var e = Assert.Throws<NerveException>(() => new TrainSettings { DocSep = "two" }.ApplyTo(new TrainJobOptions { TrainPath = "t", ModelPath = "m" }));
        Assert.Equal("--doc-sep must be docstart or blank2, found \"two\"", e.Message);
    }
}
