using System.Globalization;
using Nerve.Corpus;

namespace Nerve.Features;

/// <summary>
/// An ordered word list with an ordinal index. Every vocabulary holds the specials UUUNKKK, &lt;s&gt;, &lt;/s&gt;
/// and NNNUMMM, so <see cref="Lookup"/> always finds an entry (PA4 normalisation, see <see cref="WordNormalizer"/>).
/// </summary>
public sealed class Vocabulary
{
    private static readonly string[] Specials = [WordNormalizer.Unknown, WordNormalizer.Start, WordNormalizer.End, WordNormalizer.Number];

    private readonly string[] _words;
    private readonly Dictionary<string, int> _index;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spanIndex;

    private Vocabulary(List<string> words, Dictionary<string, int> index, bool lowercase)
    {
        _words = [.. words];
        _index = index;
        _spanIndex = index.GetAlternateLookup<ReadOnlySpan<char>>();
        Lowercase = lowercase;
        UnknownIndex = index[WordNormalizer.Unknown];
        StartIndex = index[WordNormalizer.Start];
        EndIndex = index[WordNormalizer.End];
        NumberIndex = index[WordNormalizer.Number];
    }

    /// <summary>Whether <see cref="Lookup"/> lowercases words before looking them up.</summary>
    public bool Lowercase { get; }
    public int Count => _words.Length;
    public string this[int index] => _words[index];
    public IReadOnlyList<string> Words => _words;
    public int UnknownIndex { get; }
    public int StartIndex { get; }
    public int EndIndex { get; }
    public int NumberIndex { get; }

    public bool Contains(string word) => _index.ContainsKey(word);

    /// <summary>Index of the exact entry, -1 if absent.</summary>
    public int IndexOf(string word) => _index.TryGetValue(word, out var i) ? i : -1;

    /// <summary>Index of <see cref="WordNormalizer.Normalize"/>(<paramref name="rawWord"/>); never -1. Allocates only for words over 128 chars.</summary>
    public int Lookup(string rawWord) => Lookup(rawWord.AsSpan());

    public int Lookup(ReadOnlySpan<char> rawWord)
    {
        if (rawWord.Length > 128)
            return _index[WordNormalizer.Normalize(rawWord.ToString(), Lowercase, Contains)];
        Span<char> buffer = stackalloc char[384];
        var w = buffer[..rawWord.Length];
        if (Lowercase)
            rawWord.ToLowerInvariant(w);
        else
            rawWord.CopyTo(w);
        if (_spanIndex.TryGetValue(w, out var i))
            return i;
        var digits = WordNormalizer.CountDigits(w);
        if (digits == 0)
            return UnknownIndex;
        var shape = buffer.Slice(rawWord.Length, rawWord.Length + digits);
        WordNormalizer.WriteDigitShape(w, shape);
        return _spanIndex.TryGetValue(shape, out i) ? i : NumberIndex;
    }

    /// <summary>
    /// A vocabulary of <paramref name="words"/> in order (later duplicates ignored), with any missing special appended.
    /// PA4's vocab.txt already starts with UUUNKKK and holds the others.
    /// </summary>
    public static Vocabulary FromWords(IEnumerable<string> words, bool lowercase = true)
    {
        var list = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var w in words)
            Add(list, index, w);
        foreach (var s in Specials)
            Add(list, index, s);
        return new Vocabulary(list, index, lowercase);
    }

    /// <summary>Reads a vocabulary file with one word per line (PA4 vocab.txt); blank lines and duplicates are errors.</summary>
    public static Vocabulary Load(string path, bool lowercase = true)
    {
        var words = new List<string>();
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        long lineNo = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            var line = lineNo == 1 ? raw.TrimStart('\uFEFF') : raw;
            var word = line.Trim();
            if (word.Length == 0)
                throw new NerveDataException(path, lineNo, "one word per line", "a blank line");
            if (!seen.TryAdd(word, lineNo))
                throw new NerveDataException(path, lineNo, "each word once", $"{NerveDataException.Quote(word)} again (first on line {seen[word].ToString(CultureInfo.InvariantCulture)})");
            words.Add(word);
        }
        return FromWords(words, lowercase);
    }

    /// <summary>
    /// Specials first, then every normalised form seen at least <paramref name="minCount"/> times, by descending
    /// frequency then ordinal order. Forms are lowercased if asked, and words with digits count as their digit shape.
    /// </summary>
    public static Vocabulary BuildFromCorpus(IEnumerable<Sentence> sentences, int minCount = 1, bool lowercase = true)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var sentence in sentences)
        {
            foreach (var word in sentence.Words)
            {
                var w = lowercase ? word.ToLowerInvariant() : word;
                w = WordNormalizer.DigitShape(w);
                counts[w] = counts.GetValueOrDefault(w) + 1;
            }
        }
        var ordered = counts.Where(kv => kv.Value >= minCount)
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Key);
        return FromWords(Specials.Concat(ordered), lowercase);
    }

    /// <summary>A new vocabulary: these words, then <paramref name="extra"/> words not yet present, in order.</summary>
    public Vocabulary Extend(IEnumerable<string> extra) => FromWords(_words.Concat(extra), Lowercase);

    private static void Add(List<string> list, Dictionary<string, int> index, string word)
    {
        if (index.TryAdd(word, list.Count))
            list.Add(word);
    }
}
