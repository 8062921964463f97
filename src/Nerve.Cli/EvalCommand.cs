using System.CommandLine;
using Nerve.Corpus;
using Nerve.Evaluation;
using Nerve.Tagging;

namespace Nerve.Cli;

/// <summary>`nerve eval`: tags a gold corpus and prints the conlleval block and a token confusion matrix.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model file written by nerve train.", Required = true };
        var data = new Option<string>("--data") { Description = "Gold corpus to tag and score (- for stdin).", Required = true };
        var format = Cli.Format();
        var tagColumn = Cli.TagColumn();
        var raw = new Option<bool>("--raw") { Description = "conlleval -r: every non-O token is its own phrase (how PA4 scored IO labels)." };
        var noMatrix = new Option<bool>("--no-confusion") { Description = "Omit the token confusion matrix." };
        var threads = Cli.Threads(Environment.ProcessorCount);
        var repair = Cli.RepairGlued();
        var cacheMb = Cli.CacheMb();
        var cmd = new Command("eval", "Score a model on a gold corpus: the conlleval report (phrase precision, recall, F1) and a per-class token confusion matrix.")
        {
            model, data, format, tagColumn, raw, noMatrix, threads, repair, cacheMb,
        };
        cmd.SetAction(r => Cli.Guard(() =>
        {
            var m = NerModel.Load(r.GetValue(model)!);
            Cli.SetCache(m, r.GetValue(cacheMb));
            var corpus = Cli.ReadCorpus(r.GetValue(data)!, r.GetValue(format), r.GetValue(tagColumn), requireTags: true, r.GetValue(repair));
            bool isRaw = r.GetValue(raw);
            if (!isRaw && m.Scheme == TagScheme.IO)
                Console.Error.WriteLine("nerve: note: the model's labels are IO; conlleval finds no phrases in IO labels without --raw");
            var e = ModelEvaluation.Run(m, corpus.Sentences, isRaw, r.GetValue(threads));
            Console.Write(e.Phrases.Format());
            if (!r.GetValue(noMatrix))
            {
                Console.WriteLine();
                Console.WriteLine("token confusion matrix (rows: gold, columns: predicted):");
                Console.Write(e.Tokens.Format());
            }
            return 0;
        }));
        return cmd;
    }
}
