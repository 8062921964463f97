using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Nerve.Numerics;
using Nerve.Vectors;

namespace Nerve.Embed;

/// <summary>Training progress, reported about once a second and once at the end.</summary>
/// <param name="Fraction">Share of all epochs' tokens processed, 0..1.</param>
/// <param name="Tokens">Tokens processed so far (all epochs, before subsampling, as fastText counts them).</param>
/// <param name="WordsPerSecond">Tokens per second, all threads together.</param>
/// <param name="WordsPerSecondPerThread">Tokens per second per thread.</param>
/// <param name="LearningRate">Current learning rate.</param>
/// <param name="Loss">Mean negative-sampling loss per (centre, context) pair since the start.</param>
/// <param name="Elapsed">Wall time since training started (after setup).</param>
/// <param name="CpuTime">Processor time the process used since training started: on a shared machine, Tokens / CpuTime is the rate per core actually obtained.</param>
public readonly record struct SkipGramProgress(double Fraction, long Tokens, double WordsPerSecond, double WordsPerSecondPerThread, float LearningRate, double Loss, TimeSpan Elapsed, TimeSpan CpuTime)
{
    /// <summary>Tokens per second of processor time.</summary>
    public double WordsPerCpuSecond => Tokens / Math.Max(CpuTime.TotalSeconds, 1e-9);
}

/// <summary>
/// Skip-gram with negative sampling (Mikolov et al. 2013) over words and their character n-grams (Bojanowski et al. 2017),
/// trained by SGD with a learning rate decayed linearly to 0, Hogwild-style (Recht et al. 2011) over threads:
/// threads share the parameters without locks, so only <see cref="SkipGramOptions.Threads"/> = 1 is deterministic.
/// </summary>
public static class SkipGramTrainer
{
    /// <summary>Reads <paramref name="inputs"/> and trains on them.</summary>
    public static SkipGramModel Train(IEnumerable<EmbedInput> inputs, SkipGramOptions options, Action<SkipGramProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Train(EmbedCorpus.Read(inputs, options.Lowercase, options.MinCount), options, progress, cancellationToken);
    }

    /// <summary>Trains on an already tokenized corpus.</summary>
    public static SkipGramModel Train(EmbedCorpus corpus, SkipGramOptions options, Action<SkipGramProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var words = corpus.Words.ToArray();
        var dim = options.Dim;
        var buckets = options.UsesSubwords ? options.Buckets : 0;
        if ((long)(words.Length + buckets) * dim > Array.MaxLength)
            throw new NerveException($"{words.Length.ToString(CultureInfo.InvariantCulture)} words + {buckets.ToString(CultureInfo.InvariantCulture)} buckets × {dim.ToString(CultureInfo.InvariantCulture)} dimensions is more than one array can hold; lower --buckets or --dim");

        var (starts, rows) = SubwordTable(words, options, buckets);
        // fastText's initialisation: input rows uniform in ±1/dim, output rows zero.
        var input = new float[(words.Length + buckets) * dim];
        var rng = new FastRandom((ulong)options.Seed);
        var scale = 1f / dim;
        for (var i = 0; i < input.Length; i++)
            input[i] = (2 * rng.NextFloat() - 1) * scale;
        var output = new float[words.Length * dim];

        var shared = new Shared(corpus, options, input, output, starts, rows, KeepProbabilities(corpus, options.Sample), NegativeTable(corpus.Counts));
        var workers = new Worker[options.Threads];
        var ranges = Partition(corpus, options.Threads);
        for (var t = 0; t < workers.Length; t++)
            workers[t] = new Worker(shared, ranges[t], ranges[t + 1], (ulong)options.Seed * 0x9E3779B97F4A7C15UL + (ulong)t + 1);

        TimeSpan cpuStart;
        using (var process = Process.GetCurrentProcess())
            cpuStart = process.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        using (var job = new Parts(workers, () =>
        {
            if (progress is not null && stopwatch.Elapsed - last >= TimeSpan.FromSeconds(1))
            {
                last = stopwatch.Elapsed;
                progress(Snapshot(shared, workers, stopwatch.Elapsed, cpuStart));
            }
        }, cancellationToken))
        {
            IntraOp.TeamOf(workers.Length + 1).Run(job, workers.Length + 1);
        }
        foreach (var w in workers)
        {
            if (w.Error is not null)
                throw new InvalidOperationException("a training thread failed", w.Error);
        }
        cancellationToken.ThrowIfCancellationRequested();
        progress?.Invoke(Snapshot(shared, workers, stopwatch.Elapsed, cpuStart));
        return new SkipGramModel(options, words, input, output, starts, rows);
    }

    /// <summary>The team's job: part 0 (the calling thread) reports progress every 200 ms until parts 1 … T, the workers, are done.</summary>
    private sealed class Parts(Worker[] workers, Action tick, CancellationToken cancellationToken) : IPart, IDisposable
    {
        private readonly CountdownEvent _running = new(workers.Length);

        public void Run(int part, int parts)
        {
            if (part == 0)
            {
                while (!_running.Wait(200)) tick();
                return;
            }
            try
            {
                workers[part - 1].Run(cancellationToken);
            }
            finally
            {
                _running.Signal();
            }
        }

        public void Dispose() => _running.Dispose();
    }

    private static SkipGramProgress Snapshot(Shared s, Worker[] workers, TimeSpan elapsed, TimeSpan cpuStart)
    {
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime - cpuStart;
        var tokens = Volatile.Read(ref s.Processed);
        double loss = 0, pairs = 0;
        foreach (var w in workers)
        {
            loss += w.Loss;
            pairs += w.Pairs;
        }
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        var rate = tokens / seconds;
        return new SkipGramProgress(Math.Min(1, (double)tokens / s.Total), tokens, rate, rate / workers.Length, s.LearningRate(tokens), pairs > 0 ? loss / pairs : 0, elapsed, cpu);
    }

    /// <summary>For each word: its own row, then the rows of its n-grams (offset by the vocabulary size, as in fastText).</summary>
    private static (int[] Starts, int[] Rows) SubwordTable(string[] words, SkipGramOptions options, int buckets)
    {
        var starts = new int[words.Length + 1];
        var rows = new List<int>(words.Length * 8);
        for (var i = 0; i < words.Length; i++)
        {
            starts[i] = rows.Count;
            rows.Add(i);
            Subwords.AddRows(words[i], options.MinN, options.MaxN, buckets, words.Length, rows);
        }
        starts[^1] = rows.Count;
        return (starts, [.. rows]);
    }

    /// <summary>Subsampling of frequent words: keep a word of frequency f with probability √(t/f) + t/f (fastText's variant of Mikolov et al. 2013, eq. 5).</summary>
    private static float[] KeepProbabilities(EmbedCorpus corpus, double sample)
    {
        var keep = new float[corpus.Words.Count];
        for (var i = 0; i < keep.Length; i++)
        {
            if (sample <= 0)
            {
                keep[i] = 1;
                continue;
            }
            var f = (double)corpus.Counts[i] / corpus.TokenCount;
            keep[i] = (float)Math.Min(1, Math.Sqrt(sample / f) + sample / f);
        }
        return keep;
    }

    /// <summary>The noise distribution of negative sampling, unigram^¾ (Mikolov et al. 2013, §2.2), as a table drawn from uniformly.</summary>
    private static int[] NegativeTable(IReadOnlyList<long> counts)
    {
        var weights = counts.Select(c => Math.Pow(c, 0.75)).ToArray();
        var total = weights.Sum();
        var size = (int)Math.Clamp(counts.Count * 100L, 100_000, 10_000_000);
        var table = new int[size];
        var pos = 0;
        double cumulative = 0;
        for (var w = 0; w < weights.Length && pos < size; w++)
        {
            cumulative += weights[w];
            var end = w == weights.Length - 1 ? size : (int)Math.Min(size, Math.Round(cumulative / total * size));
            while (pos < end)
                table[pos++] = w;
        }
        return table;
    }

    /// <summary>Splits the lines into contiguous ranges of about equal token counts, one per thread.</summary>
    private static int[] Partition(EmbedCorpus corpus, int threads)
    {
        var bounds = new int[threads + 1];
        var starts = corpus.LineStarts;
        var line = 0;
        for (var t = 1; t < threads; t++)
        {
            var target = (long)corpus.TokenCount * t / threads;
            while (line < corpus.LineCount && starts[line] < target)
                line++;
            bounds[t] = line;
        }
        bounds[threads] = corpus.LineCount;
        return bounds;
    }

    /// <summary>State all threads read and update.</summary>
    private sealed class Shared(EmbedCorpus corpus, SkipGramOptions options, float[] input, float[] output, int[] subwordStarts, int[] subwordRows, float[] keep, int[] negatives)
    {
        public readonly EmbedCorpus Corpus = corpus;
        public readonly SkipGramOptions Options = options;
        public readonly float[] Input = input;
        public readonly float[] Output = output;
        public readonly int[] SubwordStarts = subwordStarts;
        public readonly int[] SubwordRows = subwordRows;
        public readonly float[] Keep = keep;
        public readonly int[] Negatives = negatives;
        public readonly long Total = (long)corpus.TokenCount * options.Epochs;
        /// <summary>Tokens processed by all threads, updated once per line.</summary>
        public long Processed;

        /// <summary>lr₀ (1 − progress), progress over all epochs of all threads.</summary>
        public float LearningRate(long processed) => Options.LearningRate * (float)Math.Max(0, 1 - (double)processed / Total);
    }

    /// <summary>One Hogwild thread: SGD over its share of the lines, every epoch. Allocates nothing after construction.</summary>
    private sealed class Worker
    {
        private readonly Shared _s;
        private readonly int _firstLine;
        private readonly int _endLine;
        private readonly int _dim;
        private readonly float[] _hidden;
        private readonly float[] _grad;
        private readonly float[] _start;
        private readonly int[] _line;
        private readonly bool _multipleWords;
        private FastRandom _rng;

        public Worker(Shared shared, int firstLine, int endLine, ulong seed)
        {
            _s = shared;
            _firstLine = firstLine;
            _endLine = endLine;
            _dim = shared.Options.Dim;
            _hidden = new float[_dim];
            _grad = new float[_dim];
            _start = new float[_dim];
            var longest = 0;
            for (var l = firstLine; l < endLine; l++)
                longest = Math.Max(longest, shared.Corpus.LineStarts[l + 1] - shared.Corpus.LineStarts[l]);
            _line = new int[longest];
            _multipleWords = shared.Corpus.Words.Count > 1;
            _rng = new FastRandom(seed);
        }

        public double Loss;
        public double Pairs;
        public Exception? Error;

        public void Run(CancellationToken cancellationToken)
        {
            try
            {
                var starts = _s.Corpus.LineStarts;
                for (var epoch = 0; epoch < _s.Options.Epochs; epoch++)
                {
                    for (var l = _firstLine; l < _endLine; l++)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var count = starts[l + 1] - starts[l];
                        var lr = _s.LearningRate(Volatile.Read(ref _s.Processed));
                        TrainLine(_s.Corpus.Tokens.AsSpan(starts[l], count), lr);
                        Interlocked.Add(ref _s.Processed, count);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e)
            {
                Error = e;
            }
        }

        /// <summary>Subsamples a line, then for each centre word predicts each context word within a window drawn from 1..Window.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void TrainLine(ReadOnlySpan<int> tokens, float lr)
        {
            var keep = _s.Keep;
            var n = 0;
            foreach (var id in tokens)
            {
                if (keep[id] >= 1 || _rng.NextFloat() < keep[id])
                    _line[n++] = id;
            }
            var window = _s.Options.Window;
            var starts = _s.SubwordStarts;
            double loss = 0;
            var pairs = 0;
            for (var w = 0; w < n; w++)
            {
                var b = 1 + _rng.Next(window);
                var centre = _line[w];
                var subwords = _s.SubwordRows.AsSpan(starts[centre], starts[centre + 1] - starts[centre]);
                var first = Math.Max(0, w - b);
                var end = Math.Min(n - 1, w + b);
                if (end == first)
                    continue;
                loss += TrainCentre(subwords, _line.AsSpan(first, end - first + 1), w - first, lr);
                pairs += end - first;
            }
            Loss += loss;
            Pairs += pairs;
        }

        /// <summary>
        /// SGD on the pairs (centre, context) for every context word but the one at <paramref name="skip"/>: h = mean of the
        /// centre's input rows; for the context word (label 1) and k noise words (label 0), σ(u·h) against the label moves u and
        /// gives the gradient g of h; every input row of the centre then moves by g (fastText's Model::update, Bojanowski et al. 2017).
        /// Since all rows move by g, h moves by g: h is updated in place and the rows get the sum of the g's once at the end,
        /// which is fastText's per-pair update exactly (in exact arithmetic, when a word's rows are distinct) at a fraction of the cost.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private double TrainCentre(ReadOnlySpan<int> subwords, ReadOnlySpan<int> contexts, int skip, float lr)
        {
            var dim = _dim;
            var input = _s.Input;
            Span<float> hidden = _hidden;
            Span<float> start = _start;
            Span<float> grad = _grad;
            hidden.Clear();
            foreach (var r in subwords)
                TensorPrimitives.Add(hidden, input.AsSpan(r * dim, dim), hidden);
            TensorPrimitives.Multiply(hidden, 1f / subwords.Length, hidden);
            hidden.CopyTo(start);

            var table = _s.Negatives;
            var negatives = _s.Options.Negatives;
            double loss = 0;
            for (var c = 0; c < contexts.Length; c++)
            {
                if (c == skip)
                    continue;
                var target = contexts[c];
                grad.Clear();
                loss += Binary(target, true, lr, hidden, grad);
                for (var k = 0; k < negatives; k++)
                {
                    int negative;
                    do
                    {
                        negative = table[_rng.Next(table.Length)];
                    }
                    while (negative == target && _multipleWords);
                    loss += Binary(negative, false, lr, hidden, grad);
                }
                TensorPrimitives.Add(hidden, grad, hidden);
            }

            // Σg = h_end − h_start.
            TensorPrimitives.Subtract(hidden, start, grad);
            foreach (var r in subwords)
            {
                var row = input.AsSpan(r * dim, dim);
                TensorPrimitives.Add(row, grad, row);
            }
            return loss;
        }

        /// <summary>Logistic loss −log σ(±u·h) of one output word; u += α h, grad += α u with α = lr (label − σ(u·h)).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private float Binary(int word, bool label, float lr, Span<float> hidden, Span<float> grad)
        {
            var u = _s.Output.AsSpan(word * _dim, _dim);
            var score = 1f / (1f + MathF.Exp(-TensorPrimitives.Dot(u, hidden)));
            var alpha = lr * ((label ? 1f : 0f) - score);
            TensorPrimitives.MultiplyAdd(u, alpha, grad, grad);
            TensorPrimitives.MultiplyAdd(hidden, alpha, u, u);
            return -MathF.Log((label ? score : 1f - score) + 1e-5f);
        }
    }
}

/// <summary>SplitMix64 (Steele et al. 2014): a value type that allocates nothing, fast enough for sampling and reproducible from a seed.</summary>
internal struct FastRandom(ulong seed)
{
    private ulong _state = seed;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextULong()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1), 24 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float NextFloat() => (NextULong() >> 40) * (1f / (1 << 24));

    /// <summary>Uniform in [0, n) by multiply-shift (Lemire 2019, without the rejection step: bias below 2⁻³²·n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Next(int n) => (int)(((NextULong() >> 32) * (ulong)n) >> 32);
}
