using System.CommandLine;
using Nerve.Corpus;
using Nerve.Jobs;

namespace Nerve.Cli;

/// <summary>`nerve report`: one self-contained HTML page about a model on a gold corpus (<see cref="ReportJob"/>).</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model file written by nerve train.", Required = true };
        var data = new Option<string>("--data") { Description = "Gold corpus to tag and score (- for stdin).", Required = true };
        var output = new Option<string>("--out") { Description = "The HTML page to write; each chart is also written as an .svg file beside it.", Required = true };
        var format = Cli.Format();
        var tagColumn = Cli.TagColumn();
        var raw = new Option<bool>("--raw") { Description = "conlleval -r: every non-O token is its own phrase (the default for IO models)." };
        var examples = new Option<int>("--examples") { Description = "Phrases shown per error group, each with its sentence.", DefaultValueFactory = _ => 3 };
        var threads = Cli.Threads(Environment.ProcessorCount);
        var repair = Cli.RepairGlued();
        var docSep = Cli.DocSep();
        var cacheMb = Cli.CacheMb();
        var cmd = new Command("report", "Write an HTML page of what a model learned: scores per type, confusion matrix, learning curves, calibration and error analysis.")
        {
            model, data, output, format, tagColumn, raw, examples, threads, repair, docSep, cacheMb,
        };
        cmd.SetAction(r => Cli.Guard(() =>
        {
            var written = ReportJob.Run(new ReportJobOptions
            {
                ModelPath = r.GetValue(model)!,
                OutPath = r.GetValue(output)!,
                Format = r.GetValue(format),
                TagColumn = r.GetValue(tagColumn),
                Raw = r.GetValue(raw) ? true : null,
                Examples = r.GetValue(examples),
                Threads = r.GetValue(threads),
                RepairGlued = r.GetValue(repair),
                DocSep = DocumentSeparators.Parse(r.GetValue(docSep)!),
                CacheMb = r.GetValue(cacheMb),
            }, Cli.Input(r.GetValue(data)!), ConsoleJobLog.Instance);
            foreach (var path in written) Console.WriteLine("wrote " + path);
            return 0;
        }));
        return cmd;
    }
}
