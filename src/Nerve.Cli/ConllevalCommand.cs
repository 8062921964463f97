using System.CommandLine;
using Nerve.Evaluation;

namespace Nerve.Cli;

/// <summary>`nerve conlleval`: the CoNLL scorer, byte for byte; reads "… gold predicted" lines on stdin.</summary>
internal static class ConllevalCommand
{
    public static Command Create()
    {
        var raw = new Option<bool>("-r") { Description = "Raw: every non-O tag is its own phrase (how PA4 scored IO labels)." };
        var delim = new Option<string?>("-d") { Description = "Field delimiter, a regular expression (default: a single space). -d '\\t' for tabs." };
        var otag = new Option<string?>("-o") { Description = "The outside tag, used with -r (default: O)." };
        var cmd = new Command("conlleval", "Score 'token … gold predicted' lines from stdin exactly as conlleval does.") { raw, delim, otag };
        cmd.SetAction(r => Cli.Guard(() =>
        {
            var args = new List<string>();
            if (r.GetValue(raw)) args.Add("-r");
            if (r.GetValue(delim) is { } d) { args.Add("-d"); args.Add(d); }
            if (r.GetValue(otag) is { } o) { args.Add("-o"); args.Add(o); }
            var options = ConllEval.ParseArguments(args);
            using var stdout = Console.OpenStandardOutput();
            using var writer = new StreamWriter(stdout, new System.Text.UTF8Encoding(false)) { NewLine = "\n" };
            int code = ConllEval.Run(Console.In, writer, Console.Error, options);
            writer.Flush();
            return code;
        }));
        return cmd;
    }
}
