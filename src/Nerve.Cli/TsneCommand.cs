using System.CommandLine;
using Nerve.Jobs;

namespace Nerve.Cli;

/// <summary>`nerve tsne`: word vectors before and after training as two t-SNE scatter plots (<see cref="TsneJob"/>).</summary>
internal static class TsneCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model file written by nerve train.", Required = true };
        var output = new Option<string>("--out") { Description = "The HTML page to write; both charts are also written as .svg files beside it.", Required = true };
        var before = new Option<string?>("--before") { Description = "Pretrained vectors (default: the model's --embeddings)." };
        var words = new Option<string?>("--words") { Description = "Words to draw, one per line (default: the --top most frequent training words)." };
        var top = new Option<int>("--top") { Description = "How many of the most frequent training words to draw (exact t-SNE: at most 2000).", DefaultValueFactory = _ => 500 };
        var train = new Option<string?>("--train") { Description = "Training corpus for word counts and labels (default: the model's)." };
        var seed = new Option<ulong>("--seed") { Description = "t-SNE seed.", DefaultValueFactory = _ => 1UL };
        var iterations = new Option<int>("--iterations") { Description = "t-SNE iterations.", DefaultValueFactory = _ => 1000 };
        var format = Cli.Format();
        var cmd = new Command("tsne", "Draw the model's word vectors before and after training (t-SNE), coloured by each word's majority entity type.")
        {
            model, output, before, words, top, train, seed, iterations, format,
        };
        cmd.SetAction(r => Cli.Guard(() =>
        {
            var written = TsneJob.Run(new TsneJobOptions
            {
                ModelPath = r.GetValue(model)!,
                OutPath = r.GetValue(output)!,
                BeforePath = r.GetValue(before),
                WordsPath = r.GetValue(words),
                Top = r.GetValue(top),
                TrainPath = r.GetValue(train),
                Seed = r.GetValue(seed),
                Iterations = r.GetValue(iterations),
                Format = r.GetValue(format),
            }, ConsoleJobLog.Instance);
            foreach (var path in written) Console.WriteLine("wrote " + path);
            return 0;
        }));
        return cmd;
    }
}
