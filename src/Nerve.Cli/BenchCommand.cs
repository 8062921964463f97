using System.CommandLine;
using Nerve.Diagnostics;
using Nerve.Jobs;
using Nerve.Training;

namespace Nerve.Cli;

/// <summary>`nerve bench`: tokens/s of training and tagging on synthetic data of CoNLL size (<see cref="Bench"/>).</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var hidden = new Option<int>("--hidden") { Description = "Hidden units H.", DefaultValueFactory = _ => 100 };
        var window = new Option<int>("--window") { Description = "Window size C.", DefaultValueFactory = _ => 5 };
        var dim = new Option<int>("--dim") { Description = "Word vector dimension d.", DefaultValueFactory = _ => 50 };
        var classes = new Option<int>("--classes") { Description = "Output classes K.", DefaultValueFactory = _ => 5 };
        var batch = Cli.Sizes("--batch", "Comma-separated batch sizes.", [1, 32, 256]);
        var threads = Cli.Sizes("--threads", "Comma-separated thread counts.", [1, 2]);
        var tokens = new Option<int>("--tokens") { Description = "Windows per timed pass (CoNLL 2003 train: ~200k).", DefaultValueFactory = _ => 200_000 };
        var vocab = new Option<int>("--vocab") { Description = "Synthetic vocabulary size (Zipfian ids).", DefaultValueFactory = _ => 20_000 };
        var mode = new Option<BenchMode[]>("--mode")
        {
            Description = "train, tag or train,tag.",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [BenchMode.Train, BenchMode.Tag],
            CustomParser = result =>
            {
                var modes = new List<BenchMode>();
                foreach (var m in result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
                {
                    if (m == "train") modes.Add(BenchMode.Train);
                    else if (m == "tag") modes.Add(BenchMode.Tag);
                    else result.AddError($"--mode: expected train, tag or train,tag, found \"{m}\"");
                }
                return [.. modes];
            },
        };
        var optimizer = new Option<OptimizerKind>("--optimizer") { Description = "sgd or adagrad for train mode.", DefaultValueFactory = _ => OptimizerKind.Sgd };
        var precompute = new Option<int>("--precompute") { Description = "Tag mode: cache the first layer for this many frequent words (Chen & Manning 2014); 0 = off.", DefaultValueFactory = _ => 0 };
        var repetitions = new Option<int>("--repetitions") { Description = "Timed passes; the median is reported.", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "One JSON object per line and configuration." };
        var config = new Option<string?>("--config")
        {
            Description = "Measure the model of this `nerve train` config file (its features, head, dropout, batch and optimizer) on sentences drawn from its training corpus; the shape options are then taken from it.",
        };
        var cmd = new Command("bench", "Measure training and tagging speed (tokens/s, median of timed passes after a warm-up) on synthetic data.")
        {
            hidden, window, dim, classes, batch, threads, tokens, vocab, mode, optimizer, precompute, repetitions, json, config,
        };
        cmd.SetAction(r => Cli.Guard(() =>
        {
            var o = new BenchOptions
            {
                Hidden = r.GetValue(hidden),
                Window = r.GetValue(window),
                Dim = r.GetValue(dim),
                Classes = r.GetValue(classes),
                Batches = r.GetValue(batch)!,
                Threads = r.GetValue(threads)!,
                Tokens = r.GetValue(tokens),
                Vocabulary = r.GetValue(vocab),
                Modes = r.GetValue(mode)!,
                Optimizer = r.GetValue(optimizer),
                Precompute = r.GetValue(precompute),
                Repetitions = r.GetValue(repetitions),
            };
            o.Validate();
            bool asJson = r.GetValue(json);
            var results = new List<BenchResult>();
            IEnumerable<BenchResult> runs;
            if (r.GetValue(config) is { } path)
            {
                var job = TrainCommand.Options(TrainConfig.Read(path), null);
                var (model, train, _) = TrainJob.Build(job);
                var c = model.Config;
                o = o with
                {
                    Config = Path.GetFileName(path),
                    Hidden = c.Hidden[0],
                    Window = c.Window,
                    Dim = c.Features[0].Dim,
                    Classes = c.Labels.Count,
                    Vocabulary = c.Features[0].Size,
                    Output = c.Output.ToString().ToLowerInvariant(),
                    Tables = string.Join(",", c.Features.Select(f => $"{f.Size}:{f.Dim}")),
                    Chars = c.CharCnn is { } cc ? $"{cc.Alphabet}:{cc.Dim}:{cc.Filters}:{cc.Width}:{cc.MaxLength}" : null,
                    Optimizer = job.Training.Optimizer,
                };
                if (!asJson)
                    Console.WriteLine($"nerve bench: {o.Config}: C = {o.Window}, H = {string.Join(",", c.Hidden)}, K = {o.Classes}, {o.Output} head, tables {string.Join(", ", c.Features.Select(f => $"{f.Name} {f.Size}×{f.Dim}"))}{(c.CharCnn is { } ch ? $", character CNN {ch.Alphabet}×{ch.Dim}, {ch.Filters} filters of width {ch.Width}" : "")}; " +
                        $"{job.Training.Optimizer.ToString().ToLowerInvariant()}, batch {job.Training.Batch}, dropout {job.Training.InputDropout}/{job.Training.HiddenDropout}; {o.Tokens} tokens per pass (sentences drawn from {Path.GetFileName(job.TrainPath)}), median of {o.Repetitions}");
                runs = Bench.RunModel(model, train.Sentences, job.Training, o);
            }
            else
            {
                if (!asJson)
                    Console.WriteLine($"nerve bench: C = {o.Window}, d = {o.Dim}, H = {o.Hidden}, K = {o.Classes}, vocabulary {o.Vocabulary}, {o.Tokens} tokens per pass, median of {o.Repetitions}");
                runs = Bench.Run(o);
            }
            foreach (var result in runs)
            {
                if (asJson) Console.WriteLine(result.ToJson());
                results.Add(result);
            }
            if (!asJson) Console.Write(Bench.Table(results));
            return 0;
        }));
        return cmd;
    }
}
