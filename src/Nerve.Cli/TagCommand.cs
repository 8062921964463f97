using System.CommandLine;
using Nerve.IO;
using Nerve.Jobs;

namespace Nerve.Cli;

/// <summary>`nerve tag`: tags a column file (or raw text) and writes CoNLL columns with the predicted tag last (<see cref="TagJob"/>).</summary>
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
        var noVerify = Cli.NoVerify();
        var stats = new Option<bool>("--stats") { Description = "Print the time of each phase and tokens/s to stderr." };
        var cmd = new Command("tag", "Tag tokens with a trained model; writes CoNLL columns (input columns, then the predicted tag).")
        {
            model, input, format, tagColumn, text, threads, repair, stats, cacheMb, output, noVerify,
        };
        cmd.SetAction(r => Cli.Guard(() =>
        {
            var options = new TagJobOptions
            {
                ModelPath = r.GetValue(model)!,
                Format = r.GetValue(format),
                TagColumn = r.GetValue(tagColumn),
                RawText = r.GetValue(text),
                Threads = r.GetValue(threads),
                RepairGlued = r.GetValue(repair),
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
