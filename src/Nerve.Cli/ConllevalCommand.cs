using System.CommandLine;
using Nerve.Evaluation;
using Nerve.Jobs;

namespace Nerve.Cli;

/// <summary>`nerve conlleval`: the CoNLL scorer, byte for byte; reads "… gold predicted" lines on stdin.</summary>
internal static class ConllevalCommand
{
    public static Command Create()
    {
        var d = new ConllEvalOptions();
        var raw = new Option<bool>("-r") { Description = "Raw: every non-O tag is its own phrase (how PA4 scored IO labels)." };
        var delim = new Option<string>("-d") { Description = "Field delimiter, a regular expression (default: a single space). -d '\\t' for tabs.", DefaultValueFactory = _ => d.Delimiter };
        var otag = new Option<string>("-o") { Description = "The outside tag, used with -r (default: O).", DefaultValueFactory = _ => d.OTag };
        var cmd = new Command("conlleval", "Score 'token … gold predicted' lines from stdin exactly as conlleval does.") { raw, delim, otag };
        cmd.SetAction(r => Cli.Guard(() =>
        {
            var options = new ConllEvalOptions { Raw = r.GetValue(raw), Delimiter = r.GetValue(delim)!, OTag = r.GetValue(otag)! };
            using var stdout = Console.OpenStandardOutput();
            using var writer = new StreamWriter(stdout, new System.Text.UTF8Encoding(false)) { NewLine = "\n" };
            int code = EvalJob.Conlleval(options, Console.In, writer, Console.Error);
            writer.Flush();
            return code;
        }));
        return cmd;
    }
}
