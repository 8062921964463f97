using System.CommandLine;
using Nerve.Corpus;
using Nerve.IO;
using Nerve.Tagging;
using Nerve.Text;

namespace Nerve.Cli;

/// <summary>`nerve tag`: tags a column file (or raw text) and writes CoNLL columns with the predicted tag last.</summary>
internal static class TagCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model file written by nerve train.", Required = true };
        var input = new Option<string>("--input") { Description = "Input file, or - for stdin: tokens one per line (extra columns kept), blank lines between sentences.", DefaultValueFactory = _ => "-" };
        var format = Cli.Format();
        var tagColumn = Cli.TagColumn();
        var text = new Option<bool>("--text") { Description = "The input is raw text: tokenize it and split sentences first." };
        var threads = Cli.Threads(Environment.ProcessorCount);
        var repair = Cli.RepairGlued();
        var cacheMb = Cli.CacheMb();
        var output = new Option<string?>("--output") { Description = "Write the tagged columns to this file (replaced atomically: a failed run leaves no partial file) instead of stdout." };
        var stats = new Option<bool>("--stats") { Description = "Print the time of each phase and tokens/s to stderr." };
        var cmd = new Command("tag", "Tag tokens with a trained model; writes CoNLL columns (input columns, then the predicted tag).")
        {
            model, input, format, tagColumn, text, threads, repair, stats, cacheMb, output,
        };
        cmd.SetAction(r => Cli.Guard(() =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var phases = new List<(string, TimeSpan)>();
            void Phase(string name)
            {
                phases.Add((name, clock.Elapsed));
                clock.Restart();
            }
            var m = NerModel.Load(r.GetValue(model)!);
            Cli.SetCache(m, r.GetValue(cacheMb));
            Phase("load model");
            string path = r.GetValue(input)!;
            if (path != "-" && !File.Exists(path)) throw new NerveException($"{path}: file not found");
            long tokens = 0;
            if (!r.GetValue(text) && !r.GetValue(repair))
            {
                // Column input: streamed, read, tagged and written at once in chunks of whole sentences.
                WriteOutput(r.GetValue(output), stream =>
                {
                    using var reader = path == "-" ? Console.In : CorpusReader.OpenText(path);
                    tokens = ColumnTagger.Tag(m, reader, path == "-" ? "<stdin>" : path, stream, r.GetValue(format), r.GetValue(tagColumn), r.GetValue(threads)).Tokens;
                });
                Phase("read, tag and write");
            }
            else
            {
                IReadOnlyList<Sentence> sentences;
                char delimiter = '\t';
                bool keepGold = false;
                if (r.GetValue(text))
                {
                    string raw = path == "-" ? Console.In.ReadToEnd() : File.ReadAllText(path);
                    sentences = Tokenizer.Sentences(raw).Select(s => new Sentence(s.Select(t => t.Text).ToArray(), s.Select(_ => "O").ToArray())).ToList();
                }
                else
                {
                    var corpus = Cli.ReadCorpus(path, r.GetValue(format), r.GetValue(tagColumn), requireTags: false, r.GetValue(repair));
                    sentences = corpus.Sentences;
                    delimiter = corpus.Delimiter;
                    keepGold = corpus.ColumnCount > 1; // the gold column stays, so the output can go straight to conlleval
                }
                Phase("read");
                var prediction = m.Predict(sentences, r.GetValue(threads));
                Phase("tag");
                WriteOutput(r.GetValue(output), stream =>
                {
                    using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
                    CorpusWriter.Write(writer, sentences, prediction.Tags, delimiter, keepGold);
                });
                Phase("write");
                tokens = sentences.Sum(s => (long)s.Count);
            }
            if (r.GetValue(stats))
            {
                double total = phases.Sum(p => p.Item2.TotalSeconds);
                foreach (var (name, time) in phases)
                    Console.Error.WriteLine(FormattableString.Invariant($"nerve tag: {name,-20} {time.TotalSeconds,8:F3} s"));
                double work = phases.Where(p => p.Item1 != "load model").Sum(p => p.Item2.TotalSeconds);
                Console.Error.WriteLine(FormattableString.Invariant($"nerve tag: {tokens:N0} tokens in {total:F3} s = {tokens / Math.Max(total, 1e-9):N0} tokens/s ({tokens / Math.Max(work, 1e-9):N0} tokens/s after loading the model)"));
            }
            return 0;
        }));
        return cmd;
    }

    /// <summary>Writes to the file atomically, or to stdout when no file is given.</summary>
    private static void WriteOutput(string? path, Action<Stream> write)
    {
        if (path is not null)
        {
            AtomicFile.Write(path, write);
            return;
        }
        using var stdout = Console.OpenStandardOutput();
        write(stdout);
        stdout.Flush();
    }
}
