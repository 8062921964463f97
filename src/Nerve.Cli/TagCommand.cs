using System.CommandLine;
using Nerve.Corpus;
using Nerve.IO;
using Nerve.Jobs;
using Nerve.Tagging;

namespace Nerve.Cli;

/// <summary>`nerve tag`: tags a column file, raw text or JSON lines and writes CoNLL columns, JSON, inline XML, slash tags or TSV (<see cref="TagJob"/>).</summary>
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
        var docSep = Cli.DocSep();
        var cacheMb = Cli.CacheMb();
        var output = new Option<string?>("--output") { Description = "Write the output to this file (replaced atomically: a failed run leaves no partial file) instead of stdout." };
        var noVerify = Cli.NoVerify();
        var stats = new Option<bool>("--stats") { Description = "Print the time of each phase and tokens/s to stderr." };
        var outputFormat = new Option<string>("--output-format")
        {
            Description = "conll (columns, the default), json (one object for the whole input), jsonl (one object per input line; per sentence of column input), inline-xml (<PER>Bill Clinton</PER>, spacing kept), slash (Clinton/PER), tsv (token TAB tag).",
            DefaultValueFactory = _ => "conll",
        };
        outputFormat.AcceptOnlyFromAmong("conll", "json", "jsonl", "inline-xml", "slash", "tsv");
        var inputFormat = new Option<string>("--input-format")
        {
            Description = "columns (the default), text (raw text, as --text), or jsonl: a JSON object {\"id\", \"text\"} or a JSON string per line (writes jsonl).",
            DefaultValueFactory = _ => "columns",
        };
        inputFormat.AcceptOnlyFromAmong("columns", "text", "jsonl");
        var offsets = new Option<string>("--offsets")
        {
            Description = "Units of JSON offsets: utf16 (string indices in C#, Java, JavaScript) or codepoints (Python). End-exclusive.",
            DefaultValueFactory = _ => "utf16",
        };
        offsets.AcceptOnlyFromAmong("utf16", "codepoints");
        var noTokens = new Option<bool>("--no-tokens") { Description = "Leave the tokens out of JSON output (entities only)." };
        var textArgument = new Argument<string?>("text") { Description = "Raw text to tag instead of the input (implies --text).", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("tag", "Tag tokens with a trained model; writes CoNLL columns (input columns, then the predicted tag), JSON, inline XML, slash tags or TSV.")
        {
            model, input, format, tagColumn, text, inputFormat, outputFormat, offsets, noTokens, threads, repair, docSep, stats, cacheMb, output, noVerify, textArgument,
        };
        cmd.SetAction(r => Cli.Guard(() =>
        {
            string inputKind = r.GetValue(inputFormat)!;
            var options = new TagJobOptions
            {
                ModelPath = r.GetValue(model)!,
                Format = r.GetValue(format),
                TagColumn = r.GetValue(tagColumn),
                RawText = r.GetValue(text) || inputKind == "text",
                JsonInput = inputKind == "jsonl",
                Text = r.GetValue(textArgument),
                OutputFormat = Enum.Parse<TagOutputFormat>(r.GetValue(outputFormat)!.Replace("-", "", StringComparison.Ordinal), ignoreCase: true),
                Offsets = r.GetValue(offsets) == "codepoints" ? OffsetUnit.CodePoints : OffsetUnit.Utf16,
                Tokens = !r.GetValue(noTokens),
                Threads = r.GetValue(threads),
                RepairGlued = r.GetValue(repair),
                DocSep = DocumentSeparators.Parse(r.GetValue(docSep)!),
                CacheMb = r.GetValue(cacheMb),
                NoVerify = r.GetValue(noVerify),
            };
            var path = r.GetValue(output) ?? "-";
            TagJob.Validate(options);
            AtomicFile.CheckTarget(path, "--output", (r.GetValue(input), "--input"), (options.ModelPath, "--model"));
            var source = Cli.Input(r.GetValue(input)!);
            source.CheckExists();
            TagJobResult result = null!;
            AtomicFile.Write(path, stream => result = TagJob.Run(options, source, stream, ConsoleJobLog.Instance));
            if (r.GetValue(stats))
            {
                double total = result.Phases.Sum(p => p.Time.TotalSeconds);
                foreach (var (name, time) in result.Phases)
                    Console.Error.WriteLine(FormattableString.Invariant($"nerve tag: {name,-20} {time.TotalSeconds,8:F3} s"));
                double work = result.Phases.Where(p => p.Phase != "load model").Sum(p => p.Time.TotalSeconds);
                long tokens = result.Tokens;
                Console.Error.WriteLine(FormattableString.Invariant($"nerve tag: {tokens:N0} tokens in {total:F3} s = {tokens / Math.Max(total, 1e-9):N0} tokens/s ({tokens / Math.Max(work, 1e-9):N0} tokens/s after loading the model)"));
            }
            return 0;
        }));
        return cmd;
    }
}
