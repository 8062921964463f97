using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nerve.Reports;
using Nerve.Training;

namespace Nerve.Jobs;

/// <summary>One varied option and its values as typed: "lr" and ["0.01", "0.05"]. "layers" repeats the base's first hidden size.</summary>
public sealed record SweepAxis(string Option, IReadOnlyList<string> Values)
{
    /// <summary>"lr=0.01,0.05" → ("lr", ["0.01", "0.05"]).</summary>
    public static SweepAxis Parse(string text)
    {
        int eq = text.IndexOf('=', StringComparison.Ordinal);
        var values = eq > 0 ? text[(eq + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [];
        if (eq <= 0 || values.Length == 0)
            throw new NerveException($"--vary: expected OPTION=V1,V2,… such as lr=0.01,0.05, found \"{text}\"");
        return new SweepAxis(text[..eq].Trim(), values);
    }
}

/// <summary>One training run of a sweep: its id (the varied options, e.g. "lr=0.05") and the values it sets.</summary>
public sealed record SweepRun(string Id, IReadOnlyList<KeyValuePair<string, string>> Values);

/// <summary>What `nerve sweep` does: train around a base configuration, varying options, and report.</summary>
public sealed record SweepJobOptions
{
    /// <summary>The base: `nerve train`'s defaults, config file and flags (its ModelPath is ignored).</summary>
    public required TrainJobOptions Base { get; init; }
    public required IReadOnlyList<SweepAxis> Vary { get; init; }
    /// <summary>Every combination of the values instead of one option at a time around the base.</summary>
    public bool Grid { get; init; }
    /// <summary>Trainings at once, each on Cores / Parallel threads.</summary>
    public int Parallel { get; init; } = 1;
    public int Cores { get; init; } = Environment.ProcessorCount;
    public required string OutDir { get; init; }
}

/// <summary>
/// `nerve sweep`: one in-process <see cref="TrainJob"/> per run, <see cref="SweepJobOptions.Parallel"/> at a time.
/// Each epoch appends a line to results.jsonl (options, loss, train and dev F1, tokens/s, seconds); a run is finished
/// when its runs/ID/done file exists, so an interrupted sweep resumes by skipping those and redoing the others.
/// results.csv and report.html are written from results.jsonl at the end.
/// </summary>
public static class SweepJob
{
    /// <summary>The runs: one per value of each axis with the others at the base, or the full product with <paramref name="grid"/>.</summary>
    public static List<SweepRun> Plan(IReadOnlyList<SweepAxis> vary, bool grid)
    {
        if (vary.Count == 0) throw new NerveException("--vary is required: e.g. --vary lr=0.01,0.05");
        if (vary.Select(a => a.Option).Distinct().Count() != vary.Count) throw new NerveException("--vary: an option is varied twice");
        var runs = new List<SweepRun>();
        if (!grid)
        {
            foreach (var a in vary)
                foreach (var v in a.Values)
                    runs.Add(new SweepRun($"{a.Option}={v}", [new(a.Option, v)]));
            return runs;
        }
        IEnumerable<List<KeyValuePair<string, string>>> product = [[]];
        foreach (var a in vary)
            product = product.SelectMany(p => a.Values.Select(v => new List<KeyValuePair<string, string>>(p) { new(a.Option, v) }));
        return [.. product.Select(p => new SweepRun(string.Join(",", p.Select(kv => $"{kv.Key}={kv.Value}")), p))];
    }

    /// <summary>The training options of one run: the base with the run's values bound over it, threads set.</summary>
    public static TrainJobOptions Options(SweepJobOptions o, SweepRun run)
    {
        var values = run.Values.Where(kv => kv.Key != "layers").ToList();
        var job = TrainConfig.Bind(values).ApplyTo(o.Base);
        if (run.Values.FirstOrDefault(kv => kv.Key == "layers") is { Key: not null } layers)
        {
            if (!int.TryParse(layers.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1)
                throw new NerveException($"layers: expected a whole number ≥ 1, found \"{layers.Value}\"");
            job = job with { Hidden = [.. Enumerable.Repeat(job.Hidden[0], n)] };
        }
        return job with
        {
            ModelPath = Path.Combine(RunDir(o, run), "model.nerve"),
            Resume = false,
            Training = job.Training with { Threads = Math.Max(1, o.Cores / Math.Max(1, o.Parallel)) },
        };
    }

    public static string RunDir(SweepJobOptions o, SweepRun run)
    {
        var safe = new StringBuilder();
        foreach (char c in run.Id) safe.Append(char.IsLetterOrDigit(c) || c is '.' or '=' or ',' or '-' or '_' ? c : '_');
        return Path.Combine(o.OutDir, "runs", safe.ToString());
    }

    /// <summary>Trains every unfinished run, then writes results.csv and report.html; returns the runs trained now.</summary>
    public static IReadOnlyList<string> Run(SweepJobOptions o, IJobLog? log = null, CancellationToken cancel = default)
    {
        log ??= NullJobLog.Instance;
        if (o.Parallel < 1) throw new NerveException($"--parallel must be at least 1, got {o.Parallel}");
        var runs = Plan(o.Vary, o.Grid);
        var jobs = runs.ToDictionary(r => r.Id, r => Options(o, r)); // binds every run's options before training any
        TrainJob.Validate(o.Base with { ModelPath = "x" });
        Directory.CreateDirectory(o.OutDir);
        string jsonl = Path.Combine(o.OutDir, "results.jsonl");
        var finished = runs.Where(r => File.Exists(Path.Combine(RunDir(o, r), "done"))).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        // Keep the lines of finished runs only: an unfinished run starts again from its first epoch.
        var kept = File.Exists(jsonl) ? File.ReadAllLines(jsonl).Where(l => l.Length > 0 && finished.Contains(JsonNode.Parse(l)!["run"]!.GetValue<string>())).ToList() : [];
        IO.AtomicFile.WriteAllText(jsonl, kept.Count == 0 ? "" : string.Join('\n', kept) + "\n");
        var sameAs = SameAs(runs, jobs);
        var pending = runs.Where(r => !finished.Contains(r.Id) && !sameAs.ContainsKey(r.Id)).ToList();
        foreach (var (copy, source) in sameAs)
            log.Info($"sweep: {copy} is the same training as {source}: its results are {source}'s");
        log.Info($"sweep: {runs.Count} runs, {finished.Count} already finished, {pending.Count} to train, {o.Parallel} at a time on {jobs[runs[0].Id].Training.Threads} threads each");
        var gate = new object();
        var trained = new List<string>();
        Parallel.ForEach(pending, new ParallelOptions { MaxDegreeOfParallelism = o.Parallel, CancellationToken = cancel }, run =>
        {
            var job = jobs[run.Id];
            Directory.CreateDirectory(RunDir(o, run));
            var observer = new LineWriter(run, jsonl, gate);
            var (_, result) = TrainJob.Run(job, observer, null, cancel);
            if (result.Interrupted) return;
            File.WriteAllText(Path.Combine(RunDir(o, run), "done"), "");
            lock (gate)
            {
                trained.Add(run.Id);
                log.Info(string.Create(CultureInfo.InvariantCulture, $"{run.Id}: best epoch {result.BestEpoch}, F1 {result.BestF1:F2} ({result.Elapsed.TotalSeconds:F1} s)"));
            }
        });
        var copies = runs.Where(r => sameAs.ContainsKey(r.Id) && !finished.Contains(r.Id)
            && File.Exists(Path.Combine(RunDir(o, runs.First(s => s.Id == sameAs[r.Id])), "done"))).ToList(); // not those whose source was interrupted
        if (copies.Count > 0)
        {
            CopyLines(jsonl, copies, sameAs);
            foreach (var run in copies)
            {
                Directory.CreateDirectory(RunDir(o, run));
                File.WriteAllText(Path.Combine(RunDir(o, run), "done"), "");
            }
        }
        var results = ReadResults(jsonl);
        WriteCsv(Path.Combine(o.OutDir, "results.csv"), o.Vary, results);
        Report(o, runs, results, sameAs).Save(Path.Combine(o.OutDir, "report.html"));
        return trained;
    }

    /// <summary>
    /// Runs that resolve to the same training as an earlier run (one at a time around the base, every axis's base value
    /// is the base itself), mapped to that earlier run: they train once, and the copies take the source's lines.
    /// </summary>
    public static Dictionary<string, string> SameAs(IReadOnlyList<SweepRun> runs, IReadOnlyDictionary<string, TrainJobOptions> jobs)
    {
        var first = new Dictionary<string, string>(StringComparer.Ordinal);
        var sameAs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var run in runs)
        {
            var j = jobs[run.Id];
            string key = JsonSerializer.Serialize(j with // paths as files, however typed (a config's are absolute, --vary's relative)
            {
                ModelPath = "", TrainPath = Full(j.TrainPath)!, MoreTrainPaths = [.. j.MoreTrainPaths.Select(p => Full(p)!)], DevPath = Full(j.DevPath),
                EmbeddingsPath = Full(j.EmbeddingsPath), SubwordsPath = Full(j.SubwordsPath), VocabPath = Full(j.VocabPath),
                Features = j.Features with { Gazetteers = Full(j.Features.Gazetteers) },
            });
            if (first.TryGetValue(key, out string? source)) sameAs[run.Id] = source;
            else first[key] = run.Id;
        }
        return sameAs;
    }

    private static string? Full(string? path) => string.IsNullOrEmpty(path) ? path : Path.GetFullPath(path);

    /// <summary>Appends, for each copy, its source's lines of results.jsonl under the copy's id and option values.</summary>
    private static void CopyLines(string jsonl, List<SweepRun> copies, Dictionary<string, string> sameAs)
    {
        var lines = File.ReadAllLines(jsonl).Where(l => l.Length > 0).ToList();
        var sb = new StringBuilder();
        foreach (var run in copies)
            foreach (string l in lines)
            {
                if (JsonNode.Parse(l) is not JsonObject n || n["run"]!.GetValue<string>() != sameAs[run.Id]) continue;
                n["run"] = run.Id;
                n["options"] = OptionsJson(run);
                sb.Append(n.ToJsonString()).Append('\n');
            }
        File.AppendAllText(jsonl, sb.ToString());
    }

    /// <summary>A run's varied options as results.jsonl's "options" object.</summary>
    private static JsonObject OptionsJson(SweepRun run)
    {
        var options = new JsonObject();
        foreach (var (k, v) in run.Values) options[k] = v;
        return options;
    }

    /// <summary>One line of results.jsonl.</summary>
    public sealed record EpochLine(string Run, IReadOnlyDictionary<string, string> Options, int Epoch, double Loss, double TrainF1, double? DevF1, double TokensPerSecond, double Seconds);

    public static List<EpochLine> ReadResults(string jsonl)
        => [.. File.ReadAllLines(jsonl).Where(l => l.Length > 0).Select(l =>
        {
            var n = JsonNode.Parse(l)!;
            return new EpochLine(n["run"]!.GetValue<string>(),
                n["options"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>(), StringComparer.Ordinal),
                n["epoch"]!.GetValue<int>(), n["loss"]!.GetValue<double>(), n["train_f1"]!.GetValue<double>(),
                n["dev_f1"]?.GetValue<double>(), n["tokens_per_s"]!.GetValue<double>(), n["seconds"]!.GetValue<double>());
        })];

    private sealed class LineWriter(SweepRun run, string path, object gate) : ITrainingObserver
    {
        public void EpochStarted(int epoch, int windows) { }

        public void Progress(int windowsDone) { }

        public void EpochFinished(EpochReport r)
        {
            var line = new JsonObject
            {
                ["run"] = run.Id, ["options"] = OptionsJson(run), ["epoch"] = r.Epoch, ["loss"] = r.Loss, ["train_f1"] = r.TrainF1,
                ["dev_f1"] = r.DevF1, ["tokens_per_s"] = Math.Round(r.TokensPerSecond, 1), ["seconds"] = Math.Round(r.Elapsed.TotalSeconds, 3),
            };
            lock (gate) File.AppendAllText(path, line.ToJsonString() + "\n");
        }
    }

    private static void WriteCsv(string path, IReadOnlyList<SweepAxis> vary, List<EpochLine> results)
    {
        var sb = new StringBuilder("run," + string.Concat(vary.Select(a => a.Option + ",")) + "epoch,loss,train_f1,dev_f1,tokens_per_s,seconds\n");
        foreach (var l in results)
        {
            sb.Append(Csv(l.Run)).Append(',');
            foreach (var a in vary) sb.Append(Csv(l.Options.GetValueOrDefault(a.Option, ""))).Append(',');
            sb.Append(CultureInfo.InvariantCulture, $"{l.Epoch},{l.Loss:R},{l.TrainF1:R},{l.DevF1?.ToString("R", CultureInfo.InvariantCulture)},{l.TokensPerSecond:R},{l.Seconds:R}\n");
        }
        IO.AtomicFile.WriteAllText(path, sb.ToString());
    }

    private static string Csv(string s) => s.AsSpan().IndexOfAny(",\"\n") >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

    /// <summary>
    /// The page: per varied option, the best epoch's train and dev F1 against its values (mean over the other options'
    /// values in a grid); then every run's dev (or train) F1 and loss per epoch, a run and its copies
    /// (<see cref="SameAs"/>) drawn once; then a table of runs.
    /// </summary>
    public static HtmlReport Report(SweepJobOptions o, IReadOnlyList<SweepRun> runs, List<EpochLine> results, IReadOnlyDictionary<string, string>? sameAs = null)
    {
        sameAs ??= new Dictionary<string, string>();
        var page = new HtmlReport("Sweep");
        var byRun = results.GroupBy(l => l.Run).ToDictionary(g => g.Key, g => g.OrderBy(l => l.Epoch).ToList(), StringComparer.Ordinal);
        bool dev = results.Any(l => l.DevF1 is not null);
        page.Paragraph($"{runs.Count} runs{(o.Grid ? " (every combination)" : " (one option at a time around the base)")}; F1 is the best epoch's by {(dev ? "dev" : "train")} F1, in percent.");
        EpochLine? Best(string id) => byRun.TryGetValue(id, out var ls) ? ls.MaxBy(l => l.DevF1 ?? l.TrainF1) : null;
        int file = 0;
        foreach (var axis in o.Vary)
        {
            var points = axis.Values.Select(v => (Value: v, Best: runs.Where(r => r.Values.Contains(new(axis.Option, v))).Select(r => Best(r.Id)).OfType<EpochLine>().ToList()))
                .Where(p => p.Best.Count > 0).ToList();
            if (points.Count == 0) continue;
            page.Heading(axis.Option);
            bool numeric = points.All(p => double.TryParse(p.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
            var train = points.Select(p => p.Best.Average(b => b.TrainF1)).ToList();
            var devF1 = points.Select(p => p.Best.Where(b => b.DevF1 is not null).Select(b => b.DevF1!.Value).DefaultIfEmpty(double.NaN).Average()).ToList();
            file++;
            if (numeric)
            {
                var x = points.Select(p => double.Parse(p.Value, CultureInfo.InvariantCulture)).ToList();
                var chart = new LineChart { Title = $"F1 against {axis.Option}", XLabel = axis.Option, YLabel = "F1 (%)", LogX = x.All(v => v > 0) && x.Max() / x.Min() >= 10 };
                var order = Enumerable.Range(0, x.Count).OrderBy(i => x[i]).ToList();
                chart.Add("train", [.. order.Select(i => x[i])], [.. order.Select(i => train[i])]);
                if (dev) chart.Add("dev", [.. order.Select(i => x[i])], [.. order.Select(i => devF1[i])]);
                page.Chart(chart, $"vary-{file}.svg");
            }
            else
            {
                var chart = new BarChart([.. points.Select(p => p.Value)]) { Title = $"F1 against {axis.Option}", XLabel = axis.Option, YLabel = "F1 (%)" };
                chart.Add("train", train);
                if (dev) chart.Add("dev", devF1);
                page.Chart(chart, $"vary-{file}.svg");
            }
        }
        page.Heading("Learning curves");
        var done = runs.Where(r => byRun.ContainsKey(r.Id)).ToList();
        if (done.Count > 0)
        {
            var f1 = new LineChart { Title = $"{(dev ? "Dev" : "Train")} F1 per epoch", XLabel = "epoch", YLabel = "F1 (%)" };
            var loss = new LineChart { Title = "Training loss per epoch", XLabel = "epoch", YLabel = "mean loss" };
            foreach (var r in done.Where(r => !sameAs.ContainsKey(r.Id)))
            {
                var ls = byRun[r.Id];
                string name = string.Join(" = ", sameAs.Where(kv => kv.Value == r.Id).Select(kv => kv.Key).Prepend(r.Id));
                f1.Add(name, [.. ls.Select(l => (double)l.Epoch)], [.. ls.Select(l => l.DevF1 ?? l.TrainF1)]);
                loss.Add(name, [.. ls.Select(l => (double)l.Epoch)], [.. ls.Select(l => l.Loss)]);
            }
            page.Chart(f1, "curves-f1.svg");
            page.Chart(loss, "curves-loss.svg");
        }
        page.Table(["run", "best epoch", "train F1", "dev F1", "tokens/s", "seconds"], done.Select(r =>
        {
            var b = Best(r.Id)!;
            var inv = CultureInfo.InvariantCulture;
            return (IReadOnlyList<string>)[r.Id, b.Epoch.ToString(inv), b.TrainF1.ToString("F2", inv), b.DevF1?.ToString("F2", inv) ?? "",
                byRun[r.Id].Average(l => l.TokensPerSecond).ToString("F0", inv), byRun[r.Id].Sum(l => l.Seconds).ToString("F1", inv)];
        }), "Runs");
        return page;
    }
}
