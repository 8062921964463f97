using System.Runtime.CompilerServices;
using Nerve.Corpus;

namespace Nerve.Features;

/// <summary>
/// All windows of a corpus, stored once: every sentence is laid out as m × &lt;s&gt;, its tokens, m × &lt;/s&gt;, so the
/// window of a token is the 2m + 1 consecutive positions centred on it and never crosses a sentence.
/// </summary>
public sealed class WindowSet : IWindowSource
{
    private readonly int[] _padded;  // (positions, F), perhaps longer (storage taken over from another set)
    private readonly int[] _centers; // position of each window's centre token, perhaps longer
    private readonly int _positions;
    private readonly WordMemo?[] _memos = []; // made by Reuse: each featurizing thread's memo, kept for the next set
    private readonly Featurizer? _memoFeaturizer;  // whose ids the memos hold
    private readonly int[] _start, _stop; // ids (F) of the <s> and </s> padding

    /// <param name="labelIndex">Maps a gold tag to its class index, or -1 when the tag is unknown or not needed.</param>
    /// <param name="threads">Workers that featurize contiguous runs of sentences (the result does not depend on their number).</param>
    public WindowSet(IReadOnlyList<Sentence> sentences, Featurizer featurizer, int window, Func<string, int>? labelIndex = null, int threads = 1)
        : this(sentences, featurizer, window, labelIndex, threads, null, false) { }

    /// <summary>
    /// <see cref="WindowSet(IReadOnlyList{Sentence}, Featurizer, int, Func{string, int}?, int)"/> (no gold classes) in the
    /// storage of <paramref name="previous"/> when it is large enough, which must no longer be used.
    /// </summary>
    public static WindowSet Reuse(WindowSet? previous, IReadOnlyList<Sentence> sentences, Featurizer featurizer, int window, int threads = 1)
        => new(sentences, featurizer, window, null, threads, previous, true);

    private WindowSet(IReadOnlyList<Sentence> sentences, Featurizer featurizer, int window, Func<string, int>? labelIndex, int threads, WindowSet? previous, bool keepMemos)
        : this(window, featurizer, [.. sentences.Select(s => s.Count)], previous)
    {
        threads = Math.Clamp(threads, 1, Math.Max(1, sentences.Count / 64));
        if (keepMemos)
        {
            _memoFeaturizer = featurizer;
            bool same = previous is not null && ReferenceEquals(previous._memoFeaturizer, featurizer);
            _memos = new WordMemo?[Math.Max(threads, same ? previous!._memos.Length : 0)];
            if (same) previous!._memos.CopyTo(_memos, 0);
        }
        if (threads == 1)
        {
            Fill(sentences, featurizer, labelIndex, 0, sentences.Count, Memo(0, featurizer));
        }
        else
        {
            int per = (sentences.Count + threads - 1) / threads;
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
                t => Fill(sentences, featurizer, labelIndex, t * per, Math.Min(sentences.Count, (t + 1) * per), Memo(t, featurizer)));
        }
        if (featurizer.HasDocumentContext) // whole documents, after the workers: a document is never split
            foreach (var (start, end) in DocumentContext.Documents(sentences))
                featurizer.FeaturizeDocument([.. Enumerable.Range(start, end - start).Select(si => (IReadOnlyList<string>)sentences[si].Words)],
                    s => TokenIds(start + s));
    }

    /// <summary>The ids (n, F) of sentence <paramref name="si"/>'s tokens, once framed.</summary>
    private Span<int> TokenIds(int si)
    {
        int m = Window / 2, w = SentenceStarts[si];
        return _padded.AsSpan((w + 2 * m * si + m) * Features, (SentenceStarts[si + 1] - w) * Features);
    }

    /// <summary>
    /// The windows of sentences featurized already: <paramref name="tokenIds"/> (tokens, F) holds every token's ids in
    /// order, and <paramref name="lengths"/> the sentences' token counts. No gold classes (all −1).
    /// </summary>
    public WindowSet(ReadOnlySpan<int> tokenIds, ReadOnlySpan<int> lengths, Featurizer featurizer, int window)
        : this(tokenIds, lengths, featurizer, window, null) { }

    /// <summary>
    /// <see cref="WindowSet(ReadOnlySpan{int}, ReadOnlySpan{int}, Featurizer, int)"/> in the storage of
    /// <paramref name="previous"/> when it is large enough, which must no longer be used: a stream's chunks, one after
    /// another, then allocate nothing in proportion to their tokens.
    /// </summary>
    public static WindowSet Reuse(WindowSet? previous, ReadOnlySpan<int> tokenIds, ReadOnlySpan<int> lengths, Featurizer featurizer, int window)
        => new(tokenIds, lengths, featurizer, window, previous);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private WindowSet(ReadOnlySpan<int> tokenIds, ReadOnlySpan<int> lengths, Featurizer featurizer, int window, WindowSet? previous)
        : this(window, featurizer, lengths, previous)
    {
        int f = Features;
        if (tokenIds.Length != (long)Count * f) throw new ArgumentException($"{Count} tokens need {Count * f} ids, found {tokenIds.Length}", nameof(tokenIds));
        Labels.AsSpan().Fill(-1);
        for (int si = 0; si < lengths.Length; si++)
            tokenIds.Slice(SentenceStarts[si] * f, lengths[si] * f).CopyTo(Frame(si));
    }

    /// <summary>Sizes the layout for sentences of the given lengths and takes the padding ids; the constructors fill it.</summary>
    private WindowSet(int window, Featurizer featurizer, ReadOnlySpan<int> lengths, WindowSet? previous)
    {
        if (window < 1 || window % 2 == 0) throw new ArgumentOutOfRangeException(nameof(window));
        Window = window;
        Features = featurizer.Count;
        _start = new int[Features];
        _stop = new int[Features];
        featurizer.StartPadding(_start);
        featurizer.EndPadding(_stop);
        int m = window / 2;
        // Sentence s starts at window SentenceStarts[s] and at position SentenceStarts[s] + 2m·s of the padded stream.
        SentenceStarts = new int[lengths.Length + 1];
        long tokens = 0;
        for (int si = 0; si < lengths.Length; si++)
        {
            SentenceStarts[si] = checked((int)tokens);
            tokens += lengths[si];
        }
        Count = checked((int)tokens);
        SentenceStarts[lengths.Length] = Count;
        _positions = checked((int)(tokens + (long)lengths.Length * 2 * m));
        long ids = checked((long)_positions * Features);
        bool same = previous is not null && previous.Features == Features;
        _padded = Storage(same ? previous!._padded : null, ids);
        _centers = Storage(same ? previous!._centers : null, Count);
        Labels = new int[Count];
    }

    /// <summary>An array of at least <paramref name="length"/>: <paramref name="old"/> when it is long enough, else a new one with room to grow.</summary>
    private static int[] Storage(int[]? old, long length)
    {
        if (old is null) return new int[length];
        return old.Length >= length ? old : new int[Math.Min(Array.MaxLength, Math.Max(length, old.Length + old.Length / 2))];
    }

    /// <summary>Thread <paramref name="t"/>'s memo: a new one, or with storage taken over the previous set's (made at first use).</summary>
    private WordMemo Memo(int t, Featurizer featurizer)
        => _memos.Length == 0 ? new WordMemo(featurizer.WordLevelCount) : _memos[t] ??= new WordMemo(featurizer.WordLevelCount);

    /// <summary>Lays out sentences [first, end): m × &lt;s&gt;, the featurized tokens, m × &lt;/s&gt;.</summary>
    private void Fill(IReadOnlyList<Sentence> sentences, Featurizer featurizer, Func<string, int>? labelIndex, int first, int end, WordMemo memo)
    {
        for (int si = first; si < end; si++)
        {
            var s = sentences[si];
            featurizer.Featurize(s.Words, Frame(si), memo);
            for (int i = 0, w = SentenceStarts[si]; i < s.Count; i++, w++)
                Labels[w] = labelIndex is null ? -1 : labelIndex(s.Tags[i]);
        }
    }

    /// <summary>
    /// Writes sentence <paramref name="si"/>'s m × &lt;s&gt; and m × &lt;/s&gt; paddings and its windows' centres; returns
    /// the ids (n, F) of its tokens in between, for the caller to fill.
    /// </summary>
    private Span<int> Frame(int si)
    {
        int m = Window / 2, f = Features, w = SentenceStarts[si], n = SentenceStarts[si + 1] - w, pos = w + 2 * m * si;
        for (int i = 0; i < m; i++) _start.CopyTo(_padded.AsSpan((pos++) * f, f));
        for (int i = 0; i < n; i++) _centers[w + i] = pos + i;
        for (int i = 0; i < m; i++) _stop.CopyTo(_padded.AsSpan((pos + n + i) * f, f));
        return _padded.AsSpan(pos * f, n * f);
    }

    /// <summary>C = 2m + 1.</summary>
    public int Window { get; }

    /// <summary>F: ids per token.</summary>
    public int Features { get; }

    /// <summary>Positions of the padded stream: every token and every sentence's 2m paddings.</summary>
    public int Positions => _positions;

    /// <summary>Number of windows (= tokens).</summary>
    public int Count { get; }

    /// <summary>Gold class per window, -1 where unknown.</summary>
    public int[] Labels { get; }

    /// <summary>Index of the first window of each sentence, plus the total at the end.</summary>
    public int[] SentenceStarts { get; }

    /// <summary>Ids per window: C · F.</summary>
    public int WindowWidth => Window * Features;

    /// <summary>ids (B, C, F) and labels (B) of the given windows.</summary>
    public void Gather(ReadOnlySpan<int> windows, Span<int> ids, Span<int> labels)
    {
        int width = WindowWidth;
        int m = Window / 2;
        for (int b = 0; b < windows.Length; b++)
        {
            int w = windows[b];
            _padded.AsSpan((_centers[w] - m) * Features, width).CopyTo(ids.Slice(b * width, width));
            if (!labels.IsEmpty) labels[b] = Labels[w];
        }
    }

    /// <summary>Occurrences of every row of each of the F tables over all positions (padding included); sizes per table.</summary>
    public int[][] RowCounts(IReadOnlyList<int> sizes)
    {
        var counts = new int[Features][];
        for (int k = 0; k < Features; k++) counts[k] = new int[sizes[k]];
        for (int i = 0; i < _positions * Features; i++) counts[i % Features][_padded[i]]++;
        return counts;
    }

    /// <summary>ids (B, C, F) of windows start … start + count − 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void GatherRange(int start, int count, Span<int> ids)
    {
        int width = WindowWidth;
        int m = Window / 2;
        for (int b = 0; b < count; b++)
            _padded.AsSpan((_centers[start + b] - m) * Features, width).CopyTo(ids.Slice(b * width, width));
    }
}
