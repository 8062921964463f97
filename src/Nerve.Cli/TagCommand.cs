using System.CommandLine;
using Nerve.Corpus;
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
        var stats = new Option<bool>("--stats") { Description = "Print the time of each phase (load, read, tag, write) and tokens/s to stderr." };
        var cmd = new Command("tag", "Tag tokens with a trained model; writes CoNLL columns (input columns, then the predicted tag).")
        {
            model, input, format, tagColumn, text, threads, repair, stats, cacheMb,
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
            IReadOnlyList<Sentence> sentences;
            char delimiter = '\t';
            bool keepGold = false;
            if (r.GetValue(text))
            {
                if (path != "-" && !File.Exists(path)) throw new NerveException($"{path}: file not found");
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
            var stdout = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
            CorpusWriter.Write(stdout, sentences, prediction.Tags, delimiter, keepGold);
            stdout.Flush();
            Phase("write");
            if (r.GetValue(stats))
            {
                long tokens = sentences.Sum(s => (long)s.Count);
                double total = phases.Sum(p => p.Item2.TotalSeconds);
                foreach (var (name, time) in phases)
                    Console.Error.WriteLine(FormattableString.Invariant($"nerve tag: {name,-10} {time.TotalSeconds,8:F3} s"));
                Console.Error.WriteLine(FormattableString.Invariant($"nerve tag: {tokens:N0} tokens in {total:F3} s = {tokens / Math.Max(total, 1e-9):N0} tokens/s (tag phase {tokens / Math.Max(phases.Single(p => p.Item1 == "tag").Item2.TotalSeconds, 1e-9):N0} tokens/s)"));
            }
            return 0;
        }));
        return cmd;
    }
}
