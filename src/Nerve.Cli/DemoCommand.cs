using System.CommandLine;
using Nerve.Jobs;
using Nerve.Model;
using Nerve.Tagging;

namespace Nerve.Cli;

/// <summary>`nerve demo`: the README's main job on the bundled CoNLL-2003 data.</summary>
internal static class DemoCommand
{
    public const string Sample =
        "German Chancellor Helmut Kohl met U.S. President Bill Clinton in Bonn on Tuesday. " +
        "The two leaders discussed NATO expansion and the European Union's plans, a spokesman for the Foreign Ministry said. " +
        "Shares of Daimler-Benz rose 2 percent in Frankfurt after Reuters reported a deal with Chrysler.";

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Where to write the trained model.", DefaultValueFactory = _ => Path.Combine("runs", "demo.nerve") };
        var threads = Cli.Threads(Environment.ProcessorCount);
        var epochs = new Option<int?>("--epochs") { Description = "Passes over the training data (default: the config's)." };
        var cmd = new Command("demo", "Train the default model (configs/conll2003-en.json) on the bundled CoNLL-2003 English data (train, dev = testa), print the dev scores and tag a sample paragraph.")
        {
            model, threads, epochs,
        };
        cmd.SetAction(r => Cli.Guard(() =>
        {
            string root = RepositoryRoot();
            string modelPath = r.GetValue(model)!;
            if (Path.GetDirectoryName(Path.GetFullPath(modelPath)) is { } dir) Directory.CreateDirectory(dir);
            // The tuned default: configs/conll2003-en.json, trained exactly as `nerve train --config` would.
            var file = TrainConfig.Read(Path.Combine(root, "configs", "conll2003-en.json"));
            var flags = new TrainSettings { Model = modelPath, Threads = r.GetValue(threads), Epochs = r.GetValue(epochs) };
            int code = TrainCommand.Run(TrainCommand.Options(file, flags));
            if (code != 0) return code;
            string devPath = Path.Combine(root, "data", "conll2003", "eng.testa");

            var m = NerModel.Load(modelPath);
            var dev = EvalJob.Run(m, new EvalJobOptions { Threads = r.GetValue(threads) }, JobInput.File(devPath));
            Console.WriteLine();
            Console.WriteLine($"dev ({Path.GetRelativePath(root, devPath)}), conlleval:");
            Console.Write(dev.Phrases.Format());
            Console.WriteLine();
            Console.WriteLine("sample paragraph:");
            Console.WriteLine(Sample);
            Console.WriteLine();
            foreach (var e in EntityExtractor.Extract(m, Sample))
                Console.WriteLine($"  {e.Type,-5} {e.Start,4}-{e.End,-4} {Cli.F(e.Confidence)}  {e.Text}");
            return 0;
        }));
        return cmd;
    }

    /// <summary>The folder holding Nerve.slnx, searched upwards from the current directory and from the program's own.</summary>
    public static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Nerve.slnx")) && Directory.Exists(Path.Combine(d.FullName, "data")))
                    return d.FullName;
        throw new NerveException("cannot find the Nerve repository (a folder with Nerve.slnx and data/) above the current directory");
    }
}
