using System.CommandLine;
using Nerve.Corpus;
using Nerve.Evaluation;
using Nerve.Jobs;

namespace Nerve.Cli;

/// <summary>`nerve eval`: tags a gold corpus and prints the conlleval block, spaCy's results and per-type tables, and a token confusion matrix (<see cref="EvalJob"/>).</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model file written by nerve train.", Required = true };
        var data = new Option<string>("--data") { Description = "Gold corpus to tag and score (- for stdin).", Required = true };
        var format = Cli.Format();
        var tagColumn = Cli.TagColumn();
        var raw = new Option<bool>("--raw") { Description = "conlleval -r: every non-O token is its own phrase (how PA4 scored IO labels)." };
        var noVerify = Cli.NoVerify();
        var noMatrix = new Option<bool>("--no-confusion") { Description = "Omit the token confusion matrix." };
        var threads = Cli.Threads(Environment.ProcessorCount);
        var repair = Cli.RepairGlued();
        var docSep = Cli.DocSep();
        var cacheMb = Cli.CacheMb();
        var strict = Cli.StrictScheme();
        var json = new Option<string?>("--json") { Description = "Also write metrics.json with spaCy's keys (ents_p, ents_r, ents_f, ents_per_type, token_acc, speed) and conlleval's figures." };
        var calibration = new Option<bool>("--calibration") { Description = "Also print the reliability table of entity scores (10 bins: count, mean score, precision) and the expected calibration error." };
        var breakdown = new Option<bool>("--breakdown") { Description = "Also score entities all of whose words occurred in training, those with a word unseen in training, and those with a word without a pretrained vector." };
        var cmd = new Command("eval", "Score a model on a gold corpus: the conlleval report (phrase precision, recall, F1) and a per-class token confusion matrix.")
        {
            model, data, format, tagColumn, raw, noMatrix, threads, repair, docSep, cacheMb, noVerify, json, calibration, strict, breakdown,
        };
        cmd.SetAction(r => Cli.Guard(() =>
        {
            var options = new EvalJobOptions
            {
                ModelPath = r.GetValue(model)!,
                Format = r.GetValue(format),
                TagColumn = r.GetValue(tagColumn),
                Raw = r.GetValue(raw),
                Threads = r.GetValue(threads),
                RepairGlued = r.GetValue(repair),
                DocSep = DocumentSeparators.Parse(r.GetValue(docSep)!),
                CacheMb = r.GetValue(cacheMb),
                NoVerify = r.GetValue(noVerify),
                JsonPath = r.GetValue(json),
                StrictScheme = r.GetValue(strict),
                MeasureCalibration = r.GetValue(calibration),
                Breakdown = r.GetValue(breakdown),
            };
            var result = EvalJob.Measure(options, Cli.Input(r.GetValue(data)!), ConsoleJobLog.Instance);
            var (e, metrics, reliability) = result;
            Console.Write(e.Phrases.Format());
            Console.WriteLine();
            Console.Write(metrics.Format());
            Console.WriteLine();
            Console.Write(result.Vocabulary?.FormatCoverage() ?? VocabularyBreakdown.UnknownNote + "\n");
            if (options.Breakdown && result.Vocabulary is { } v)
            {
                Console.WriteLine();
                Console.Write(v.FormatBreakdown());
            }
            if (!r.GetValue(noMatrix))
            {
                Console.WriteLine();
                Console.WriteLine("token confusion matrix (rows: gold, columns: predicted):");
                Console.Write(e.Tokens.Format());
            }
            if (reliability is not null)
            {
                Console.WriteLine();
                Console.Write(reliability.Format());
            }
            return 0;
        }));
        return cmd;
    }
}
