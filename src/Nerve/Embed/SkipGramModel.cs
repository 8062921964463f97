using System.Globalization;
using System.IO.Compression;
using System.Numerics.Tensors;
using System.Text;
using Nerve.Features;
using Nerve.IO;
using Nerve.Vectors;

namespace Nerve.Embed;

/// <summary>
/// A trained skip-gram model with subwords. A word's vector is the average of its own input row and the rows of its
/// character n-grams (Bojanowski et al. 2017, eq. 3 summed, here averaged as fastText's getWordVector does).
/// </summary>
public sealed class SkipGramModel
{
    private readonly Dictionary<string, int> _index;
    private readonly float[] _input;
    private readonly int[] _subwordStarts;
    private readonly int[] _subwordRows;

    internal SkipGramModel(SkipGramOptions options, string[] words, float[] input, float[] output, int[] subwordStarts, int[] subwordRows)
    {
        Options = options;
        Words = words;
        _input = input;
        Output = output;
        _subwordStarts = subwordStarts;
        _subwordRows = subwordRows;
        _index = new Dictionary<string, int>(words.Length, StringComparer.Ordinal);
        for (var i = 0; i < words.Length; i++)
            _index.Add(words[i], i);
    }

    public SkipGramOptions Options { get; }
    /// <summary>The vocabulary, most frequent first.</summary>
    public IReadOnlyList<string> Words { get; }
    public int Dim => Options.Dim;
    public int Count => Words.Count;
    /// <summary>Output (context) vectors, one row of <see cref="Dim"/> per word.</summary>
    internal float[] Output { get; }

    /// <summary>Row of <paramref name="word"/> in the vocabulary (as stored: lowercased if the model is), -1 if absent.</summary>
    public int IndexOf(string word) => _index.TryGetValue(word, out var i) ? i : -1;

    /// <summary>The vector of vocabulary word <paramref name="index"/>: the average of its word row and n-gram rows.</summary>
    public void WordVector(int index, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        Average(_subwordRows.AsSpan(_subwordStarts[index], _subwordStarts[index + 1] - _subwordStarts[index]), destination);
    }

    /// <summary>
    /// The vector of any word: its vocabulary vector if it has one, otherwise the average of its n-gram rows
    /// (zeros if it has none, e.g. with subwords off). Lowercased first when the model was trained lowercased.
    /// </summary>
    public float[] Vector(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        var w = Options.Lowercase ? word.ToLowerInvariant() : word;
        var result = new float[Dim];
        var i = IndexOf(w);
        if (i >= 0)
        {
            WordVector(i, result);
            return result;
        }
        var rows = new List<int>();
        Subwords.AddRows(w, Options.MinN, Options.MaxN, Options.Buckets, Count, rows);
        if (rows.Count > 0)
            Average(rows.ToArray(), result);
        return result;
    }

    private void Average(ReadOnlySpan<int> rows, Span<float> destination)
    {
        var d = destination[..Dim];
        d.Clear();
        foreach (var r in rows)
            TensorPrimitives.Add(d, _input.AsSpan(r * Dim, Dim), d);
        TensorPrimitives.Multiply(d, 1f / rows.Length, d);
    }

    /// <summary>
    /// The n-gram rows of at most <paramref name="maxRows"/> buckets, for composing vectors of words outside the
    /// vocabulary (<see cref="SubwordTable"/>): the buckets of the most frequent words' n-grams first (words in
    /// vocabulary order, n-grams in fastText's order), so the common stems and affixes are kept. With every bucket the
    /// vocabulary uses kept, <see cref="SubwordTable.Compose"/> equals <see cref="Vector"/> for an unknown word.
    /// </summary>
    public SubwordTable NGramTable(int maxRows)
    {
        if (!Options.UsesSubwords) throw new NerveException("the vectors were trained without subwords (--maxn 0 or --buckets 0): there are no n-grams to save");
        ArgumentOutOfRangeException.ThrowIfNegative(maxRows);
        var kept = new List<int>();
        var seen = new HashSet<int>();
        for (int i = 0; i < Count && kept.Count < maxRows; i++)
            foreach (int row in _subwordRows.AsSpan(_subwordStarts[i], _subwordStarts[i + 1] - _subwordStarts[i]))
                if (row >= Count && kept.Count < maxRows && seen.Add(row - Count)) kept.Add(row - Count);
        var rows = new float[(long)kept.Count * Dim];
        for (int k = 0; k < kept.Count; k++)
            _input.AsSpan((Count + kept[k]) * Dim, Dim).CopyTo(rows.AsSpan(k * Dim, Dim));
        return new SubwordTable(Options.MinN, Options.MaxN, Options.Buckets, Options.Lowercase, Dim, [.. kept], rows);
    }

    /// <summary>All vocabulary vectors, in vocabulary order.</summary>
    public WordVectors ToWordVectors()
    {
        var data = new float[(long)Count * Dim];
        for (var i = 0; i < Count; i++)
            WordVector(i, data.AsSpan(i * Dim, Dim));
        return new WordVectors([.. Words], data, Dim);
    }

    /// <summary>
    /// Writes the vocabulary vectors in word2vec text format ("COUNT DIM", then "word v1 … vDim" per line), gzipped when
    /// <paramref name="path"/> ends in .gz, atomically (<see cref="AtomicFile"/>).
    /// </summary>
    public void Save(string path)
    {
        var gzip = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        AtomicFile.Write(path, stream =>
        {
            using var compressed = gzip ? new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true) : null;
            using var writer = new StreamWriter((Stream?)compressed ?? stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            writer.NewLine = "\n";
            WriteText(writer);
        });
    }

    /// <summary>The word2vec text format of <see cref="Save"/>.</summary>
    public void WriteText(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Count.ToString(CultureInfo.InvariantCulture));
        writer.Write(' ');
        writer.Write(Dim.ToString(CultureInfo.InvariantCulture));
        writer.Write('\n');
        var vector = new float[Dim];
        Span<char> number = stackalloc char[32];
        for (var i = 0; i < Count; i++)
        {
            WordVector(i, vector);
            writer.Write(Words[i]);
            foreach (var v in vector)
            {
                writer.Write(' ');
                // Six significant digits, as fastText prints them; enough for float vectors of this scale.
                v.TryFormat(number, out var n, "G6", CultureInfo.InvariantCulture);
                writer.Write(number[..n]);
            }
            writer.Write('\n');
        }
    }
}
