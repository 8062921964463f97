using System.CommandLine;
using Nerve.Corpus;
using Nerve.Jobs;

namespace Nerve.Cli;

/// <summary>`nerve calibrate`: fits a temperature for the entity scores on dev and saves the model with it (<see cref="CalibrateJob"/>).</summary>
internal static class CalibrateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model file written by nerve train.", Required = true };
        var data = new Option<string>("--data") { Description = "Gold dev corpus to fit on (- for stdin).", Required = true };
        var output = new Option<string>("--output") { Description = "Where to save the calibrated model (the same model with info.temperature in its metadata).", Required = true };
        var format = Cli.Format();
        var tagColumn = Cli.TagColumn();
        var repair = Cli.RepairGlued();
        var docSep = Cli.DocSep();
        var noVerify = Cli.NoVerify();
        var cmd = new Command("calibrate", "Fit temperature scaling of the entity scores on a dev corpus; prints the reliability table before and after.")
        {
            model, data, output, format, tagColumn, repair, docSep, noVerify,
        };
        cmd.SetAction(r => Cli.Guard(() =>
        {
            var options = new CalibrateJobOptions
            {
                ModelPath = r.GetValue(model)!,
                OutputPath = r.GetValue(output)!,
                Format = r.GetValue(format),
                TagColumn = r.GetValue(tagColumn),
                RepairGlued = r.GetValue(repair),
                DocSep = DocumentSeparators.Parse(r.GetValue(docSep)!),
                NoVerify = r.GetValue(noVerify),
            };
            var result = CalibrateJob.Fit(options, Cli.Input(r.GetValue(data)!), ConsoleJobLog.Instance);
            Console.Write("before:\n" + result.Before.Format());
            Console.Write("after:\n" + result.After.Format());
            return 0;
        }));
        return cmd;
    }
}
