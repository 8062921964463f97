using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Nerve.Embed;

/// <summary>A plain-text training file: one sentence or document per line, tokenized by the regex or, if <paramref name="Whitespace"/>, split on whitespace.</summary>
public sealed record EmbedInput(string Path, bool Whitespace = false);

/// <summary>
/// Raw text turned into token ids for <see cref="SkipGramTrainer"/>: the vocabulary (words seen at least minCount times,
/// most frequent first, ties in ordinal order) and every line as a run of in-vocabulary ids. Rarer words are dropped
/// from the text, as fastText and word2vec do. Lines left without tokens are dropped.
/// </summary>
public sealed partial class EmbedCorpus
{
    private EmbedCorpus(string[] words, long[] counts, int[] tokens, int[] lineStarts, long rawTokens)
    {
        Words = words;
        Counts = counts;
        Tokens = tokens;
        LineStarts = lineStarts;
        RawTokenCount = rawTokens;
    }

    /// <summary>The vocabulary, most frequent first.</summary>
    public IReadOnlyList<string> Words { get; }
    /// <summary>Occurrences of each word of <see cref="Words"/>.</summary>
    public IReadOnlyList<long> Counts { get; }
    /// <summary>Tokens kept for training (in the vocabulary).</summary>
    public int TokenCount => Tokens.Length;
    /// <summary>All tokens read, before minCount.</summary>
    public long RawTokenCount { get; }
    public int LineCount => LineStarts.Length - 1;

    /// <summary>Word ids of all lines, concatenated.</summary>
    internal int[] Tokens { get; }
    /// <summary>Line i is Tokens[LineStarts[i]..LineStarts[i + 1]].</summary>
    internal int[] LineStarts { get; }

    /// <summary>The manifest's tokenizer: words with inner hyphens and apostrophes, numbers with inner . and ,, any other symbol alone
    /// (a surrogate pair counts as one symbol).</summary>
    [GeneratedRegex(@"[A-Za-z]+(?:[-'][A-Za-z]+)*|\d+(?:[.,]\d+)*|[\uD800-\uDBFF][\uDC00-\uDFFF]|[^\sA-Za-z\d]", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();

    /// <summary>The tokens of one line, as the trainer sees them.</summary>
    public static IEnumerable<string> Tokenize(string line, bool whitespace, bool lowercase)
    {
        var tokens = new List<string>();
        ForEachToken(line, whitespace, (start, length) =>
        {
            var t = line.Substring(start, length);
            tokens.Add(lowercase ? t.ToLowerInvariant() : t);
        });
        return tokens;
    }

    private static void ForEachToken(string line, bool whitespace, Action<int, int> visit)
    {
        if (!whitespace)
        {
            foreach (var m in TokenPattern().EnumerateMatches(line))
                visit(m.Index, m.Length);
            return;
        }
        var i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i]))
                i++;
            var s = i;
            while (i < line.Length && !char.IsWhiteSpace(line[i]))
                i++;
            if (i > s)
                visit(s, i - s);
        }
    }

    /// <summary>Reads and tokenizes <paramref name="inputs"/>, then keeps the words seen at least <paramref name="minCount"/> times.</summary>
    public static EmbedCorpus Read(IEnumerable<EmbedInput> inputs, bool lowercase, int minCount)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (minCount < 1)
            throw new NerveException($"--min-count must be ≥ 1, found {minCount.ToString(CultureInfo.InvariantCulture)}");
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var lookup = index.GetAlternateLookup<ReadOnlySpan<char>>();
        var counts = new List<long>();
        var tokens = new List<int>();
        var lineStarts = new List<int> { 0 };
        var any = false;
        char[] lower = new char[256];
        foreach (var input in inputs)
        {
            any = true;
            if (!File.Exists(input.Path))
                throw new NerveException($"{input.Path}: file not found");
            try
            {
                using var reader = new StreamReader(input.Path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, new FileStreamOptions { BufferSize = 1 << 16 });
                string? line;
                while ((line = reader.ReadLine()) is not null)
                {
                    ForEachToken(line, input.Whitespace, (start, length) =>
                    {
                        ReadOnlySpan<char> token = line.AsSpan(start, length);
                        if (lowercase)
                        {
                            if (lower.Length < length)
                                lower = new char[Math.Max(length, 2 * lower.Length)];
                            token.ToLowerInvariant(lower);
                            token = lower.AsSpan(0, length);
                        }
                        if (!lookup.TryGetValue(token, out var id))
                        {
                            id = counts.Count;
                            lookup[token] = id;
                            counts.Add(0);
                        }
                        counts[id]++;
                        tokens.Add(id);
                    });
                    if (tokens.Count > lineStarts[^1])
                        lineStarts.Add(tokens.Count);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new NerveException($"{input.Path}: cannot read: {e.Message}", e);
            }
        }
        if (!any)
            throw new NerveException("no input files");
        if (tokens.Count == 0)
            throw new NerveException("the input has no tokens");
        return Build(index, counts, tokens, lineStarts, minCount);
    }

    /// <summary>Orders the vocabulary by count, renumbers the tokens and drops the words below <paramref name="minCount"/>.</summary>
    private static EmbedCorpus Build(Dictionary<string, int> index, List<long> counts, List<int> tokens, List<int> lineStarts, int minCount)
    {
        var all = new string[counts.Count];
        foreach (var (word, id) in index)
            all[id] = word;
        var kept = Enumerable.Range(0, all.Length).Where(i => counts[i] >= minCount).ToArray();
        if (kept.Length == 0)
            throw new NerveException($"no word occurs at least {minCount.ToString(CultureInfo.InvariantCulture)} times (--min-count); the input has {tokens.Count.ToString(CultureInfo.InvariantCulture)} tokens");
        Array.Sort(kept, (a, b) => counts[a] != counts[b] ? counts[b].CompareTo(counts[a]) : string.CompareOrdinal(all[a], all[b]));
        var map = new int[all.Length];
        Array.Fill(map, -1);
        var words = new string[kept.Length];
        var wordCounts = new long[kept.Length];
        for (var i = 0; i < kept.Length; i++)
        {
            map[kept[i]] = i;
            words[i] = all[kept[i]];
            wordCounts[i] = counts[kept[i]];
        }

        var ids = new List<int>(tokens.Count);
        var starts = new List<int>(lineStarts.Count) { 0 };
        for (var line = 0; line + 1 < lineStarts.Count; line++)
        {
            for (var t = lineStarts[line]; t < lineStarts[line + 1]; t++)
            {
                var id = map[tokens[t]];
                if (id >= 0)
                    ids.Add(id);
            }
            if (ids.Count > starts[^1])
                starts.Add(ids.Count);
        }
        return new EmbedCorpus(words, wordCounts, [.. ids], [.. starts], tokens.Count);
    }
}
