using Nerve.Corpus;

namespace Nerve.Features;

/// <summary>
/// All windows of a corpus, stored once: every sentence is laid out as m × &lt;s&gt;, its tokens, m × &lt;/s&gt;, so the
/// window of a token is the 2m + 1 consecutive positions centred on it and never crosses a sentence.
/// </summary>
public sealed class WindowSet : Training.IWindowSource
{
    private readonly int[] _padded;  // (positions, F)
    private readonly int[] _centers; // position of each window's centre token

    /// <param name="labelIndex">Maps a gold tag to its class index, or -1 when the tag is unknown or not needed.</param>
    public WindowSet(IReadOnlyList<Sentence> sentences, Featurizer featurizer, int window, Func<string, int>? labelIndex = null)
    {
        if (window < 1 || window % 2 == 0) throw new ArgumentOutOfRangeException(nameof(window));
        Window = window;
        Features = featurizer.Count;
        int m = window / 2;
        long tokens = 0;
        foreach (var s in sentences) tokens += s.Count;
        Count = checked((int)tokens);
        _padded = new int[checked((tokens + (long)sentences.Count * 2 * m) * Features)];
        _centers = new int[Count];
        Labels = new int[Count];
        SentenceStarts = new int[sentences.Count + 1];
        var start = new int[Features];
        var end = new int[Features];
        featurizer.StartPadding(start);
        featurizer.EndPadding(end);
        int pos = 0, w = 0;
        for (int si = 0; si < sentences.Count; si++)
        {
            var s = sentences[si];
            SentenceStarts[si] = w;
            for (int i = 0; i < m; i++) start.CopyTo(_padded.AsSpan((pos++) * Features, Features));
            featurizer.Featurize(s.Words, _padded.AsSpan(pos * Features, s.Count * Features));
            for (int i = 0; i < s.Count; i++)
            {
                _centers[w] = pos + i;
                Labels[w] = labelIndex is null ? -1 : labelIndex(s.Tags[i]);
                w++;
            }
            pos += s.Count;
            for (int i = 0; i < m; i++) end.CopyTo(_padded.AsSpan((pos++) * Features, Features));
        }
        SentenceStarts[sentences.Count] = w;
    }

    /// <summary>C = 2m + 1.</summary>
    public int Window { get; }

    /// <summary>F: ids per token.</summary>
    public int Features { get; }

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
        for (int i = 0; i < _padded.Length; i++) counts[i % Features][_padded[i]]++;
        return counts;
    }

    /// <summary>ids (B, C, F) of windows start … start + count − 1.</summary>
    public void GatherRange(int start, int count, Span<int> ids)
    {
        int width = WindowWidth;
        int m = Window / 2;
        for (int b = 0; b < count; b++)
            _padded.AsSpan((_centers[start + b] - m) * Features, width).CopyTo(ids.Slice(b * width, width));
    }
}
