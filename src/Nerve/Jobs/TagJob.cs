using System.Diagnostics;
using System.Text;
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
    /// <summary>MB of first-layer products cached while tagging (<see cref="NerModel.PrecomputeBytes"/>); null keeps the model's default.</summary>
    public int? CacheMb { get; init; }
    /// <summary>Skip the model file's SHA-256 check.</summary>
    public bool NoVerify { get; init; }
}

/// <summary>The tokens tagged and the time of each phase, in order.</summary>
public sealed record TagJobResult(long Tokens, IReadOnlyList<(string Phase, TimeSpan Time)> Phases);

/// <summary>
/// Tags column text (or raw text) and writes CoNLL columns with the predicted tag last. Column input is streamed, read,
/// tagged and written at once (<see cref="ColumnTagger"/>); raw text and the glued-tag repair read it all first.
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
        input.CheckExists();
        long tokens;
        if (!o.RawText && !o.RepairGlued)
        {
            // Lenient decoding: the input columns are copied byte for byte, not judged (invalid bytes are escaped, Utf8Escapes).
            tokens = input.Read(reader => ColumnTagger.Tag(model, reader, input.Name, output, o.Format, o.TagColumn, o.Threads).Tokens, strictUtf8: false);
            phases.End("read, tag and write");
        }
        else
        {
            IReadOnlyList<Sentence> sentences;
            char delimiter = '\t';
            bool keepGold = false;
            if (o.RawText)
            {
                string raw = input.Read(reader => reader.ReadToEnd());
                sentences = Tokenizer.Sentences(raw).Select(s => new Sentence(s.Select(t => t.Text).ToArray(), s.Select(_ => "O").ToArray())).ToList();
            }
            else
            {
                var corpus = JobCorpus.Read(input, o.Format, o.TagColumn, requireTags: false, o.RepairGlued, log);
                sentences = corpus.Sentences;
                delimiter = corpus.Delimiter;
                keepGold = corpus.ColumnCount > 1; // the gold column stays, so the output can go straight to conlleval
            }
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
