using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Nerve.Corpus;
using Nerve.Features;
using Nerve.Model;

namespace Nerve.Tagging;

/// <summary>The tags and per-token confidences predicted for a list of sentences.</summary>
public sealed record Prediction(string[][] Tags, float[][] Confidence);

/// <summary>
/// A trained <see cref="NerModel"/> applied to sentences: batched, thread-split classification with a cache of
/// first-layer products (<see cref="WindowTagger"/>). Thread-safe: each call uses its own buffers.
/// </summary>
public static class ModelTagging
{
    /// <summary>The tagger for <paramref name="windows"/>: caches their rows as batches first use them, within <see cref="NerModel.PrecomputeBytes"/>.</summary>
    public static WindowTagger CreateTagger(this NerModel model, WindowSet windows) => model.CreateTagger((long)windows.Positions * windows.Features);

    /// <summary>A tagger for input not seen yet, such as a stream: caches rows as batches first use them, within <see cref="NerModel.PrecomputeBytes"/>.</summary>
    public static WindowTagger CreateTagger(this NerModel model) => model.CreateTagger(long.MaxValue);

    /// <summary>A <see cref="WindowTagger.FillOnUse"/> tagger with room for at most <paramref name="distinctRows"/> rows.</summary>
    private static WindowTagger CreateTagger(this NerModel model, long distinctRows)
    {
        long perRow = (long)model.Config.Window * model.Config.Hidden[0] * sizeof(float);
        int rows = (int)Math.Min(int.MaxValue, Math.Min(distinctRows, Math.Max(0, model.PrecomputeBytes) / perRow));
        return rows == 0 ? new WindowTagger(model.Network) : WindowTagger.FillOnUse(model.Network, rows);
    }

    /// <summary>Tags every token; <paramref name="threads"/> workers split the sentences, the result does not depend on their number.</summary>
    public static Prediction Predict(this NerModel model, IReadOnlyList<Sentence> sentences, int threads = 1) => model.Predict(sentences, threads, null);

    /// <summary>
    /// <see cref="Predict(NerModel, IReadOnlyList{Sentence}, int)"/> for one batch of a stream: with the model's shared
    /// tagger (<see cref="Recognition.SharedTagger"/>), whose cache lives from batch to batch instead of being made for each.
    /// </summary>
    public static Prediction PredictBatch(this NerModel model, IReadOnlyList<Sentence> sentences, int threads = 1)
        => model.Predict(sentences, threads, Recognition.SharedTagger(model));

    private static Prediction Predict(this NerModel model, IReadOnlyList<Sentence> sentences, int threads, WindowTagger? tagger)
    {
        var spare = tagger is null ? null : Spares.GetOrCreateValue(tagger);
        var windows = spare is null ? new WindowSet(sentences, model.Featurizer, model.Config.Window, threads: threads)
            : WindowSet.Reuse(spare.TryTake(out var old) ? old : null, sentences, model.Featurizer, model.Config.Window, threads);
        var classes = new int[windows.Count];
        var confidence = new float[windows.Count];
        model.Classify(windows, classes, confidence, threads, tagger: tagger);
        var tags = new string[sentences.Count][];
        var conf = new float[sentences.Count][];
        for (int s = 0; s < sentences.Count; s++)
        {
            int a = windows.SentenceStarts[s], n = sentences[s].Count;
            tags[s] = model.SentenceTags(classes.AsSpan(a, n));
            conf[s] = confidence.AsSpan(a, n).ToArray();
        }
        spare?.Add(windows);
        return new Prediction(tags, conf);
    }

    /// <summary>Each shared tagger's window sets whose storage the next batch may take over.</summary>
    private static readonly ConditionalWeakTable<WindowTagger, ConcurrentBag<WindowSet>> Spares = new();

    /// <summary>
    /// Class and confidence of every window. Sentences are packed into batches of up to <paramref name="batch"/> windows
    /// (the CRF head then decodes each sentence on its rows); <paramref name="threads"/> workers take contiguous runs of sentences.
    /// </summary>
    /// <param name="tagger">The tagger to use (a stream's, shared across batches); null makes one for <paramref name="windows"/>.</param>
    public static void Classify(this NerModel model, WindowSet windows, Span<int> classes, Span<float> confidence, int threads = 1, int batch = 256, WindowTagger? tagger = null)
    {
        int sentences = windows.SentenceStarts.Length - 1;
        threads = Math.Clamp(threads, 1, Math.Max(1, windows.Count / batch));
        var pool = tagger is null ? null : Pools.GetOrCreateValue(tagger); // a stream's tagger keeps its buffers from batch to batch
        tagger ??= model.CreateTagger(windows);
        if (threads == 1)
        {
            WindowTagger.Buffers? buffers = Rent(pool);
            model.ClassifyRange(tagger, ref buffers, windows, 0, sentences, classes, confidence, batch);
            pool?.Add(buffers!);
            return;
        }
        var cls = new int[windows.Count];
        var conf = new float[windows.Count];
        // Split at sentence boundaries into runs of about equal window counts.
        var cut = new int[threads + 1];
        cut[threads] = sentences;
        for (int t = 1, s = 0; t < threads; t++)
        {
            long target = (long)windows.Count * t / threads;
            while (s < sentences && windows.SentenceStarts[s] < target) s++;
            cut[t] = s;
        }
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            if (cut[t] == cut[t + 1]) return;
            WindowTagger.Buffers? buffers = Rent(pool);
            model.ClassifyRange(tagger, ref buffers, windows, cut[t], cut[t + 1], cls, conf, batch);
            pool?.Add(buffers!);
        });
        cls.CopyTo(classes);
        conf.CopyTo(confidence);
    }

    /// <summary>Each shared tagger's idle buffers, one set per thread that has used it at once.</summary>
    private static readonly ConditionalWeakTable<WindowTagger, ConcurrentBag<WindowTagger.Buffers>> Pools = new();

    private static WindowTagger.Buffers? Rent(ConcurrentBag<WindowTagger.Buffers>? pool) => pool is not null && pool.TryTake(out var b) ? b : null;

    /// <summary>
    /// Classifies the windows of sentences [<paramref name="firstSentence"/>, <paramref name="endSentence"/>) with
    /// <paramref name="buffers"/>, which are made (or remade larger) when they cannot hold a batch or the longest sentence.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ClassifyRange(this NerModel model, WindowTagger tagger, ref WindowTagger.Buffers? buffers, WindowSet windows, int firstSentence, int endSentence, Span<int> classes, Span<float> confidence, int batch = 256)
    {
        var starts = windows.SentenceStarts;
        int longest = 0;
        for (int s = firstSentence; s < endSentence; s++) longest = Math.Max(longest, starts[s + 1] - starts[s]);
        int capacity = Math.Max(batch, longest);
        if (buffers is null || buffers.Workspace.MaxBatch < capacity || buffers.Ids.Length < capacity * windows.WindowWidth)
            buffers = tagger.CreateBuffers(capacity, windows.WindowWidth);
        capacity = buffers.Workspace.MaxBatch;
        var ws = buffers.Workspace;
        var ids = buffers.Ids;
        var lengths = buffers.Lengths;
        int s0 = firstSentence;
        while (s0 < endSentence)
        {
            // As many whole sentences as fit (the CRF decodes each on its own rows of the scores).
            int s1 = s0 + 1;
            while (s1 < endSentence && starts[s1 + 1] - starts[s0] <= capacity) s1++;
            int from = starts[s0], n = starts[s1] - from;
            if (n > 0)
            {
                for (int s = s0; s < s1; s++) lengths[s - s0] = starts[s + 1] - starts[s];
                windows.GatherRange(from, n, ids);
                tagger.Scores(buffers, ids, n);
                model.Network.DecodeSentences(ws, lengths.AsSpan(0, s1 - s0), classes.Slice(from, n), confidence.Slice(from, n));
            }
            s0 = s1;
        }
    }
}
