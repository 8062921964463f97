using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Nerve.Corpus;
using Nerve.Features;
using Nerve.Model;
using Nerve.Numerics;
using Nerve.Tagging;
using Nerve.Training;

namespace Nerve.Diagnostics;

/// <summary>What <see cref="Bench"/> times: training steps or tagging.</summary>
public enum BenchMode
{
    Train,
    Tag,
}

/// <summary>The model shape and the grid of configurations <see cref="Bench.Run"/> measures.</summary>
public sealed record BenchOptions
{
    public int Hidden { get; init; } = 100;
    public int Window { get; init; } = 5;
    public int Dim { get; init; } = 50;
    public int Classes { get; init; } = 5;
    /// <summary>Words in the synthetic vocabulary (CoNLL 2003 English has about 20k word types).</summary>
    public int Vocabulary { get; init; } = 20_000;
    /// <summary>Windows per timed repetition (CoNLL 2003 train has about 200k tokens).</summary>
    public int Tokens { get; init; } = 200_000;
    public IReadOnlyList<int> Batches { get; init; } = [1, 32, 256];
    public IReadOnlyList<int> Threads { get; init; } = [1, 2];
    public IReadOnlyList<BenchMode> Modes { get; init; } = [BenchMode.Train, BenchMode.Tag];
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;
    /// <summary>Tagging caches W_slot · L[w] for this many of the most frequent words (0: the plain forward).</summary>
    public int Precompute { get; init; }
    public int Repetitions { get; init; } = 5;
    public int Seed { get; init; } = 1;
    /// <summary>The configuration file whose model is measured (<see cref="Bench.RunModel"/>); null for the plain window network.</summary>
    public string? Config { get; init; }
    /// <summary>The output head ("softmax", "crf", …), for the results.</summary>
    public string Output { get; init; } = "softmax";
    /// <summary>The feature tables as "size:dim,…" (the word table first), for the results and the peer of the same shape.</summary>
    public string? Tables { get; init; }
    /// <summary>The character convolution as "alphabet:dim:filters:width:max" (null for none), for the peer of the same shape.</summary>
    public string? Chars { get; init; }

    public void Validate()
    {
        if (Hidden < 1 || Dim < 1 || Classes < 2 || Vocabulary < 2 || Tokens < 1 || Repetitions < 1)
            throw new NerveException("--hidden, --dim, --tokens must be ≥ 1, --classes ≥ 2");
        if (Window < 1 || Window % 2 == 0) throw new NerveException($"--window must be an odd number ≥ 1, found {Window}");
        if (Batches.Count == 0 || Batches.Any(b => b < 1)) throw new NerveException("--batch needs sizes ≥ 1");
        if (Threads.Count == 0 || Threads.Any(t => t < 1)) throw new NerveException("--threads needs counts ≥ 1");
        if (Modes.Count == 0) throw new NerveException("--mode needs train, tag or both");
        if (Precompute < 0) throw new NerveException("--precompute must be ≥ 0");
    }
}

/// <summary>One measured configuration; tokens/s are over <see cref="BenchOptions.Repetitions"/> timed passes.</summary>
public sealed record BenchResult(
    BenchMode Mode, BenchOptions Options, int Batch, int Threads, int Workers,
    double Median, double Min, double Max, long PeakWorkingSet, double AllocatedBytesPerToken)
{
    /// <summary>One JSON object on one line (the schema benchmarks/peers/pytorch_window.py prints too).</summary>
    public string ToJson()
    {
        var o = Options;
        static double Round(double v, int digits) => Math.Round(v, digits, MidpointRounding.AwayFromZero);
        return new JsonObject
        {
            ["impl"] = "nerve",
            ["config"] = o.Config,
            ["output"] = o.Output,
            ["tables"] = o.Tables ?? $"{o.Vocabulary}:{o.Dim}",
            ["chars"] = o.Chars,
            ["mode"] = Mode == BenchMode.Train ? "train" : "tag",
            ["optimizer"] = Mode == BenchMode.Train ? o.Optimizer.ToString().ToLowerInvariant() : "none",
            ["hidden"] = o.Hidden,
            ["window"] = o.Window,
            ["dim"] = o.Dim,
            ["classes"] = o.Classes,
            ["vocab"] = o.Vocabulary,
            ["batch"] = Batch,
            ["threads"] = Threads,
            ["workers"] = Workers,
            ["tokens"] = o.Tokens,
            ["repetitions"] = o.Repetitions,
            ["precompute"] = Mode == BenchMode.Tag ? o.Precompute : 0,
            ["tokens_per_s"] = Round(Median, 0),
            ["median"] = Round(Median, 0),
            ["min"] = Round(Min, 0),
            ["max"] = Round(Max, 0),
            ["peak_working_set_mb"] = Round(PeakWorkingSet / (1024.0 * 1024), 1),
            ["allocated_bytes_per_token"] = Round(AllocatedBytesPerToken, 2),
        }.ToJsonString();
    }
}

/// <summary>
/// `nerve bench`: the trainer's own step (<see cref="TrainSteps.Create"/>: shuffled windows, forward, backward, sparse
/// embedding update, optimizer) and the tagger's batched forward + argmax, on synthetic data of CoNLL size built in
/// memory (Zipfian word ids, random labels). Each configuration runs one untimed warm-up pass, then the median of
/// the timed passes.
/// </summary>
public static class Bench
{
    public static IEnumerable<BenchResult> Run(BenchOptions o)
    {
        o.Validate();
        var data = new SyntheticWindows(o.Tokens, o.Vocabulary, o.Window, o.Classes, o.Seed);
        foreach (var mode in o.Modes)
            foreach (int batch in o.Batches)
                foreach (int threads in o.Threads)
                    yield return mode == BenchMode.Train ? Train(o, data, batch, threads) : Tag(o, data, batch, threads);
    }

    /// <summary>The window network of the given shape, initialised as the trainer does (PA4 eq. 7).</summary>
    public static WindowModel<float> Model(BenchOptions o)
    {
        var config = new ModelConfig
        {
            Window = o.Window,
            Hidden = [o.Hidden],
            Labels = [.. Enumerable.Range(0, o.Classes).Select(k => "C" + k.ToString(CultureInfo.InvariantCulture))],
            Features = [new FeatureSpec("word", o.Vocabulary, o.Dim)],
        };
        var model = new WindowModel<float>(config);
        model.Initialize(new Random(o.Seed));
        return model;
    }

    private static BenchResult Train(BenchOptions o, SyntheticWindows data, int batch, int threads)
    {
        var model = Model(o);
        var optimizer = new Optimizer<float>(model.Parameters, o.Optimizer);
        var options = new TrainOptions { Batch = batch, Threads = threads, Optimizer = o.Optimizer, Seed = o.Seed };
        // The step `nerve train` would choose for these options (batch-1 SGD: the pipelined step over the threads).
        var step = TrainSteps.Create(new StepSetup(model, optimizer, [true], options, (m, b) => new ManualBackprop<float>(m, b)), data);
        var order = new int[data.Count];
        int pass = 0;
        void Pass(int windows)
        {
            Trainer.Shuffle(order, o.Seed, ++pass);
            for (int start = 0; start < windows; start += step.Stride)
                step.Run(order, start, Math.Min(step.Stride, windows - start), 0.01f, pass);
        }
        return Measure(o, BenchMode.Train, batch, threads, step.Threads, Pass);
    }

    private static BenchResult Tag(BenchOptions o, SyntheticWindows data, int batch, int threads)
    {
        var model = Model(o);
        var tagger = new WindowTagger(model, o.Precompute, [data.Frequency]);
        var classes = new int[data.Count];
        int workers = Math.Clamp(threads, 1, Math.Max(1, data.Count / batch));
        var buffers = Enumerable.Range(0, workers).Select(_ => tagger.CreateBuffers(batch)).ToArray();
        var ids = Enumerable.Range(0, workers).Select(_ => new int[batch * data.WindowWidth]).ToArray();
        var job = new TagSlices(tagger, data, buffers, ids, classes, batch);
        void Pass(int windows)
        {
            job.Windows = windows;
            if (workers == 1) job.Run(0, 1);
            else IntraOp.TeamOf(workers).Run(job, workers); // the training steps' team: one contiguous slice of windows a thread
        }
        return Measure(o, BenchMode.Tag, batch, threads, workers, Pass);
    }

    /// <summary>One tagging pass's slices, as a team job: thread t classifies the t-th contiguous slice of the windows.</summary>
    private sealed class TagSlices(WindowTagger tagger, SyntheticWindows data, WindowTagger.Buffers[] buffers, int[][] ids, int[] classes, int batch) : IPart
    {
        public int Windows;

        public void Run(int part, int parts)
        {
            int chunk = (Windows + parts - 1) / parts;
            int from = part * chunk, to = Math.Min(Windows, (part + 1) * chunk);
            for (int start = from; start < to; start += batch)
            {
                int b = Math.Min(batch, to - start);
                data.GatherRange(start, b, ids[part]);
                tagger.Classify(buffers[part], ids[part], b, classes.AsSpan(start, b));
            }
        }
    }

    private static BenchResult Measure(BenchOptions o, BenchMode mode, int batch, int threads, int workers, Action<int> pass)
        => Measure(o, mode, batch, threads, workers, pass, o.Tokens, Math.Min(o.Tokens, Math.Max(20_000, 4 * batch)), o.Tokens);

    /// <param name="units">Units (windows or sentences) a timed pass runs; <paramref name="tokens"/> the tokens they hold.</param>
    /// <param name="warm">Units of the untimed warm-up pass (tiered JIT, caches, thread pool).</param>
    private static BenchResult Measure(BenchOptions o, BenchMode mode, int batch, int threads, int workers, Action<int> pass, int units, int warm, long tokens)
    {
        pass(warm);
        var rates = new double[o.Repetitions];
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        for (int r = 0; r < rates.Length; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            pass(units);
            rates[r] = tokens / Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        Array.Sort(rates);
        using var process = Process.GetCurrentProcess();
        return new BenchResult(mode, o, batch, threads, workers, rates[rates.Length / 2], rates[0], rates[^1],
            process.PeakWorkingSet64, allocated / ((double)tokens * o.Repetitions));
    }

    /// <summary>
    /// A configuration's own model (<paramref name="model"/>, untrained, as `nerve train` builds it: feature tables, head,
    /// dropout): sentences drawn at random from <paramref name="corpus"/> until they hold <see cref="BenchOptions.Tokens"/>
    /// tokens, so every table's ids follow the corpus's own distribution. Train mode times the step the trainer picks
    /// (<see cref="TrainSteps.Create"/> with <paramref name="training"/>, its batch, optimizer and dropout; the threads of
    /// each row); tag mode times <c>ModelTagging.Classify</c> as `nerve tag` runs it (a fresh tagger per pass, its
    /// first-layer cache filled on use, then batches of 256 windows decoded by the head). Featurizing is not timed.
    /// </summary>
    public static IEnumerable<BenchResult> RunModel(NerModel model, IReadOnlyList<Sentence> corpus, TrainOptions training, BenchOptions o)
    {
        if (corpus.Count == 0) throw new NerveException("bench --config: the training corpus has no sentences");
        var rng = new Random(o.Seed);
        var drawn = new List<Sentence>();
        long tokens = 0;
        while (tokens < o.Tokens)
        {
            var s = corpus[rng.Next(corpus.Count)];
            drawn.Add(s);
            tokens += s.Count;
        }
        var windows = model.Windows(drawn);
        for (int i = 0; i < windows.Count; i++)
            if (windows.Labels[i] < 0) throw new NerveException($"bench --config: training tag at window {i} is not one of the model's labels");
        var initial = (float[])model.Network.Parameters.Values.Clone();
        o = o with { Batches = [training.Batch] };
        foreach (var mode in o.Modes)
            foreach (int threads in o.Threads)
            {
                initial.CopyTo(model.Network.Parameters.Values, 0); // every row starts from the same initial model
                yield return mode == BenchMode.Train ? TrainModel(o, model, windows, training with { Threads = threads }) : TagModel(o, model, windows, threads);
            }
    }

    private static BenchResult TrainModel(BenchOptions o, NerModel model, WindowSet windows, TrainOptions options)
    {
        var net = model.Network;
        var optimizer = new Optimizer<float>(net.Parameters, options.Optimizer);
        var trainTable = new bool[model.Config.Features.Count];
        for (int k = 0; k < trainTable.Length; k++) trainTable[k] = k != 0 || !options.FixEmbeddings; // as Trainer does
        var step = TrainSteps.Create(new StepSetup(net, optimizer, trainTable, options, (m, b) => new ManualBackprop<float>(m, b)), windows, windows);
        bool sentences = net.Head.Traits.SentenceUnits;
        int units = sentences ? windows.SentenceStarts.Length - 1 : windows.Count;
        var order = new int[units];
        int pass = 0;
        float lr = (float)options.LearningRate;
        void Pass(int n)
        {
            Trainer.Shuffle(order, o.Seed, ++pass);
            for (int start = 0; start < n; start += step.Stride)
                step.Run(order, start, Math.Min(step.Stride, n - start), lr, pass);
        }
        int warm = Math.Max(1, units / 10);
        return Measure(o, BenchMode.Train, options.Batch, options.Threads, step.Threads, Pass, units, warm, windows.Count);
    }

    private static BenchResult TagModel(BenchOptions o, NerModel model, WindowSet windows, int threads)
    {
        var classes = new int[windows.Count];
        var confidence = new float[windows.Count];
        void Pass(int n) => model.Classify(windows, classes, confidence, threads);
        int workers = Math.Clamp(threads, 1, Math.Max(1, windows.Count / 256));
        return Measure(o, BenchMode.Tag, 256, threads, workers, Pass, windows.Count, windows.Count, windows.Count);
    }

    /// <summary>A readable table of results.</summary>
    public static string Table(IEnumerable<BenchResult> results)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"{"mode",-6} {"opt",-8} {"batch",5} {"threads",7} {"tokens/s",12} {"min",12} {"max",12} {"peak MB",8} {"B/token",8}");
        foreach (var r in results)
            s.AppendLine(CultureInfo.InvariantCulture,
                $"{(r.Mode == BenchMode.Train ? "train" : "tag"),-6} {(r.Mode == BenchMode.Train ? r.Options.Optimizer.ToString().ToLowerInvariant() : r.Options.Precompute > 0 ? "precomp" : "-"),-8} {r.Batch,5} {r.Threads,7} {r.Median,12:N0} {r.Min,12:N0} {r.Max,12:N0} {r.PeakWorkingSet / (1024.0 * 1024),8:F0} {r.AllocatedBytesPerToken,8:F1}");
        return s.ToString();
    }
}

/// <summary>
/// A token stream of CoNLL size in memory: word ids drawn from a Zipf law (rank r with probability ∝ 1/(r + 1)),
/// uniform random labels, padded with id 0 at both ends so every window lies inside the array.
/// </summary>
internal sealed class SyntheticWindows : IWindowSource
{
    private readonly int[] _padded;
    private readonly int[] _labels;
    private readonly int _m;

    public SyntheticWindows(int tokens, int vocabulary, int window, int classes, int seed)
    {
        var rng = new Random(seed);
        _m = window / 2;
        WindowWidth = window;
        Count = tokens;
        var cdf = new double[vocabulary];
        double sum = 0;
        for (int r = 0; r < vocabulary; r++) cdf[r] = sum += 1.0 / (r + 1);
        _padded = new int[tokens + 2 * _m];
        _labels = new int[tokens];
        Frequency = new int[vocabulary];
        for (int i = 0; i < tokens; i++)
        {
            int r = Array.BinarySearch(cdf, rng.NextDouble() * sum);
            int id = Math.Min(vocabulary - 1, r < 0 ? ~r : r);
            _padded[_m + i] = id;
            Frequency[id]++;
            _labels[i] = rng.Next(classes);
        }
    }

    public int WindowWidth { get; }

    public int Count { get; }

    /// <summary>Occurrences of each word id in the stream.</summary>
    public int[] Frequency { get; }

    public void Gather(ReadOnlySpan<int> windows, Span<int> ids, Span<int> labels)
    {
        for (int b = 0; b < windows.Length; b++)
        {
            int w = windows[b];
            _padded.AsSpan(w, WindowWidth).CopyTo(ids.Slice(b * WindowWidth, WindowWidth));
            labels[b] = _labels[w];
        }
    }

    /// <summary>ids (B, C) of windows start … start + count − 1 (consecutive windows share C − 1 positions).</summary>
    public void GatherRange(int start, int count, Span<int> ids)
    {
        for (int b = 0; b < count; b++)
            _padded.AsSpan(start + b, WindowWidth).CopyTo(ids.Slice(b * WindowWidth, WindowWidth));
    }
}
