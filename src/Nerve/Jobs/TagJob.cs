using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Nerve.Corpus;
using Nerve.Model;
using Nerve.Tagging;
using Nerve.Text;

namespace Nerve.Jobs;

/// <summary>What `nerve tag` does, for the CLI and the server alike.</summary>
public sealed record TagJobOptions
{
    /// <summary>The model file; not read when the caller passes a loaded model.</summary>
    public string? ModelPath { get; init; }
    public CorpusFormat Format { get; init; } = CorpusFormat.Auto;
    public int? TagColumn { get; init; }
    /// <summary>The input is raw text: tokenize it and split sentences first.</summary>
    public bool RawText { get; init; }
    public int Threads { get; init; } = 1;
    /// <summary>Split POS tags glued to the word (CoNLL-2002 Dutch), with a warning for each; reads the input in memory.</summary>
    public bool RepairGlued { get; init; }
    /// <summary>What starts a document besides -DOCSTART- lines (document features are computed per document).</summary>
    public Corpus.DocumentSeparator DocSep { get; init; }
    /// <summary>MB of first-layer products cached while tagging (<see cref="NerModel.PrecomputeBytes"/>); null keeps the model's default.</summary>
    public int? CacheMb { get; init; }
    /// <summary>Skip the model file's SHA-256 check.</summary>
    public bool NoVerify { get; init; }
    /// <summary>What to write (<see cref="TagOutputFormat"/>); CoNLL columns by default.</summary>
    public TagOutputFormat OutputFormat { get; init; } = TagOutputFormat.Conll;
    /// <summary>The unit of the offsets in JSON output.</summary>
    public OffsetUnit Offsets { get; init; } = OffsetUnit.Utf16;
    /// <summary>Each input line is JSON, <c>{"id", "text"}</c> or a string (<see cref="JsonLinesTagger"/>); needs JSONL output.</summary>
    public bool JsonInput { get; init; }
    /// <summary>Raw text to tag instead of the input (implies <see cref="RawText"/>).</summary>
    public string? Text { get; init; }
    /// <summary>Write each document's tokens in JSON output (false: entities only).</summary>
    public bool Tokens { get; init; } = true;
}

/// <summary>The tokens tagged and the time of each phase, in order.</summary>
public sealed record TagJobResult(long Tokens, IReadOnlyList<(string Phase, TimeSpan Time)> Phases);

/// <summary>
/// Tags column text, raw text or JSON lines. CoNLL columns (the default) put the predicted tag last: column input is
/// streamed, read, tagged and written at once (<see cref="ColumnTagger"/>), raw text a block of whole paragraphs at a
/// time (<see cref="Tokenizer.Blocks"/>); the glued-tag repair reads it all first. The other <see cref="TagOutputFormat"/>s write <see cref="RecognizedDocument"/>s: JSONL streams a
/// document per line (<see cref="JsonLinesTagger"/>), the rest take the whole input as one document.
/// </summary>
public static class TagJob
{
    /// <summary>Loads <see cref="TagJobOptions.ModelPath"/>, then tags <paramref name="input"/> into <paramref name="output"/>.</summary>
    public static TagJobResult Run(TagJobOptions o, JobInput input, Stream output, IJobLog? log = null)
    {
        var phases = new Phases();
        Validate(o);
        var model = NerModel.Load(o.ModelPath ?? throw new NerveException("--model is required"), verify: !o.NoVerify);
        SetCache(model, o.CacheMb);
        phases.End("load model");
        return Run(model, o, input, output, log, phases);
    }

    /// <summary>Tags with a loaded model (whose cache size the caller set).</summary>
    public static TagJobResult Run(NerModel model, TagJobOptions o, JobInput input, Stream output, IJobLog? log = null)
        => Run(model, o, input, output, log, new Phases());

    /// <summary>Refuses options that cannot work, before the model is loaded.</summary>
    public static void Validate(TagJobOptions o)
    {
        if (o.Threads < 1) throw new NerveException($"--threads must be ≥ 1, found {o.Threads}");
        if (o.CacheMb is < 0) throw new NerveException($"--cache-mb must be ≥ 0, found {o.CacheMb}");
        if (o.ModelPath is { } path) IO.InputFile.Check(path, "model file");
    }

    /// <summary>Applies a cache size in MB to a loaded model; refuses a negative size.</summary>
    public static void SetCache(NerModel model, int? megabytes)
    {
        if (megabytes is not { } mb) return;
        if (mb < 0) throw new NerveException($"--cache-mb must be ≥ 0, found {mb}");
        model.PrecomputeBytes = (long)mb << 20;
    }

    private static TagJobResult Run(NerModel model, TagJobOptions o, JobInput input, Stream output, IJobLog? log, Phases phases)
    {
        log ??= NullJobLog.Instance;
        if (o.JsonInput && o.OutputFormat != TagOutputFormat.Jsonl)
            throw new NerveException($"JSON lines in give JSON lines out: use --output-format jsonl, not {FormatName(o.OutputFormat)}");
        if (o.Text is not null) input = JobInput.FromReader(new StringReader(o.Text), "<text>");
        input.CheckExists();
        bool raw = o.RawText || o.Text is not null || o.JsonInput;
        long tokens;
        if (o.OutputFormat != TagOutputFormat.Conll)
        {
            tokens = raw ? TagText(model, o, input, output, log) : TagColumns(model, o, input, output, log);
            phases.End("read, tag and write");
        }
        else if (raw)
        {
            tokens = TagTextColumns(model, o, input, output);
            phases.End("read, tag and write");
        }
        else if (!o.RepairGlued)
        {
            // Lenient decoding: the input columns are copied byte for byte, not judged (invalid bytes are escaped, Utf8Escapes).
            tokens = input.Read(reader => ColumnTagger.Tag(model, reader, input.Name, output, o.Format, o.TagColumn, o.Threads, separator: o.DocSep).Tokens, strictUtf8: false);
            phases.End("read, tag and write");
        }
        else
        {
            var corpus = JobCorpus.Read(input, o.Format, o.TagColumn, requireTags: false, o.RepairGlued, log, o.DocSep);
            var sentences = corpus.Sentences;
            char delimiter = corpus.Delimiter;
            bool keepGold = corpus.ColumnCount > 1; // the gold column stays, so the output can go straight to conlleval
            phases.End("read");
            var prediction = model.Predict(sentences, o.Threads);
            phases.End("tag");
            using (var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" })
                CorpusWriter.Write(writer, sentences, prediction.Tags, delimiter, keepGold);
            output.Flush();
            phases.End("write");
            tokens = sentences.Sum(s => (long)s.Count);
        }
        return new TagJobResult(tokens, phases.List);
    }

    /// <summary>
    /// Raw text to CoNLL columns (token, predicted tag), streamed a block of whole paragraphs at a time
    /// (<see cref="Tokenizer.Blocks"/>): memory stays bounded by the model and a block whatever the input's size.
    /// </summary>
    private static long TagTextColumns(NerModel model, TagJobOptions o, JobInput input, Stream output)
    {
        const int TextBlockChars = 1 << 14; // a block (up to four of this for text without blank lines) is tagged at once
        long tokens = 0;
        using (var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" })
        {
            input.Read(reader =>
            {
                foreach (var block in Tokenizer.Blocks(reader, TextBlockChars, wholeDocuments: o.DocSep == DocumentSeparator.Blank2))
                {
                    var sentences = Recognizer.Sentences(block, Tokenizer.Sentences(block), o.DocSep);
                    if (sentences.Count == 0) continue;
                    var prediction = model.PredictBatch(sentences, o.Threads);
                    CorpusWriter.Write(writer, sentences, prediction.Tags);
                    tokens += sentences.Sum(s => (long)s.Count);
                }
                return 0;
            });
        }
        output.Flush();
        return tokens;
    }

    /// <summary>The spelling of a format on the command line (<c>inline-xml</c>).</summary>
    public static string FormatName(TagOutputFormat format) => format == TagOutputFormat.InlineXml ? "inline-xml" : format.ToString().ToLowerInvariant();

    /// <summary>Raw text: JSONL streams line by line (one document per line); the other formats take the whole input as one document.</summary>
    private static long TagText(NerModel model, TagJobOptions o, JobInput input, Stream output, IJobLog log)
    {
        if (o.OutputFormat == TagOutputFormat.Jsonl)
        {
            var options = new JsonLinesOptions { JsonInput = o.JsonInput, Tokens = o.Tokens, Offsets = o.Offsets, Threads = o.Threads, Documents = o.DocSep };
            var r = input.Read(reader => JsonLinesTagger.Tag(model, reader, input.Name, output, options, log.Warning));
            if (r.Errors > 0) log.Warning($"{r.Errors} of {r.Lines} input lines could not be read; each was answered with an error object");
            return r.Tokens;
        }
        string text = input.Read(reader => reader.ReadToEnd());
        // Only JSON carries offsets; the text formats index the text in UTF-16 whatever was asked.
        var unit = o.OutputFormat == TagOutputFormat.Json ? o.Offsets : OffsetUnit.Utf16;
        var document = model.Recognize(text, new RecognizeOptions { Offsets = unit, Documents = o.DocSep });
        string written = DocumentText.Format(document, o.OutputFormat, o.Tokens);
        if (o.OutputFormat == TagOutputFormat.InlineXml && !written.EndsWith('\n')) written += "\n"; // a text without a final line end still ends its output line
        Write(output, written);
        return document.Tokens.Count;
    }

    /// <summary>
    /// Column input in a format other than CoNLL: each sentence becomes the text of its tokens joined by single spaces,
    /// the input's tokens kept; JSONL writes a document per sentence, the others one document with a sentence per line.
    /// </summary>
    private static long TagColumns(NerModel model, TagJobOptions o, JobInput input, Stream output, IJobLog log)
    {
        var sentences = JobCorpus.Read(input, o.Format, o.TagColumn, requireTags: false, o.RepairGlued, log, o.DocSep).Sentences;
        var annotations = model.Annotate(sentences);
        if (o.OutputFormat == TagOutputFormat.Jsonl)
        {
            using var json = new Utf8JsonWriter(output, DocumentJson.WriterOptions());
            for (int s = 0; s < sentences.Count; s++)
            {
                var (text, tokens) = Join([sentences[s]]);
                DocumentJson.Write(json, Recognizer.Build(text, tokens, annotations.AsSpan(s, 1), o.Offsets), o.Tokens);
                json.Flush();
                json.Reset();
                output.WriteByte((byte)'\n');
            }
        }
        else
        {
            var (text, tokens) = Join(sentences);
            var unit = o.OutputFormat == TagOutputFormat.Json ? o.Offsets : OffsetUnit.Utf16;
            Write(output, DocumentText.Format(Recognizer.Build(text, tokens, annotations, unit), o.OutputFormat, o.Tokens));
        }
        output.Flush();
        return sentences.Sum(s => (long)s.Count);
    }

    /// <summary>The text of sentences (tokens joined by spaces, sentences by line ends) and each token's offsets in it.</summary>
    private static (string Text, List<List<TextToken>> Tokens) Join(IReadOnlyList<Sentence> sentences)
    {
        var b = new StringBuilder();
        var result = new List<List<TextToken>>(sentences.Count);
        foreach (var s in sentences)
        {
            if (b.Length > 0) b.Append('\n');
            var tokens = new List<TextToken>(s.Count);
            for (int i = 0; i < s.Count; i++)
            {
                if (i > 0) b.Append(' ');
                tokens.Add(new TextToken(s.Words[i], b.Length, b.Length + s.Words[i].Length));
                b.Append(s.Words[i]);
            }
            result.Add(tokens);
        }
        return (b.ToString(), result);
    }

    private static void Write(Stream output, string text)
    {
        using (var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" })
            writer.Write(text);
        output.Flush();
    }

    /// <summary>Times consecutive phases.</summary>
    private sealed class Phases
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public List<(string, TimeSpan)> List { get; } = [];

        public void End(string name)
        {
            List.Add((name, _clock.Elapsed));
            _clock.Restart();
        }
    }
}
