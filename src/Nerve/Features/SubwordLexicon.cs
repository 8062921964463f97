using System.Collections.Concurrent;
using Nerve.Vectors;

namespace Nerve.Features;

/// <summary>
/// Vectors for words outside the word table, composed from character n-grams (<see cref="SubwordTable"/>, as fastText
/// composes them). A word the vocabulary lacks gets a word id ≥ <see cref="First"/> whose vector is its composed one,
/// fixed (not learnt): ids are handed out as words are first met, and the vectors are stored once, append-only, so
/// featurizing threads may add while the network reads. A word with none of its n-grams kept stays UUUNKKK (-1 here).
/// Training never meets these ids: there every training word has a row of its own, initialised with the same
/// composition, so a word unseen in training gets the vector at tagging that it would have got at training.
/// </summary>
public sealed class SubwordLexicon
{
    private const int ChunkBits = 10; // 1024 vectors per chunk
    private readonly ConcurrentDictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private float[][] _chunks = [];
    private int _count;

    /// <param name="table">The n-gram rows.</param>
    /// <param name="first">The first id past the word table: its row count.</param>
    /// <param name="capacity">Most composed words held; later ones stay UUUNKKK (a bound for a long-running server).</param>
    public SubwordLexicon(SubwordTable table, int first, int capacity = 1 << 20)
    {
        Table = table;
        First = first;
        Capacity = capacity;
    }

    public SubwordTable Table { get; }

    /// <summary>The first composed id: the word table's size.</summary>
    public int First { get; }

    public int Capacity { get; }

    public int Dim => Table.Dim;

    /// <summary>Words composed so far.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The id of <paramref name="word"/> (as the vocabulary normalises it) with its composed vector, or -1 when none of its n-grams is kept or the lexicon is full.</summary>
    public int Id(string word)
    {
        if (_ids.TryGetValue(word, out int id)) return id;
        var vector = new float[Table.Dim];
        if (!Table.Compose(word, vector)) return -1;
        lock (_gate)
        {
            if (_ids.TryGetValue(word, out id)) return id;
            if (_count >= Capacity) return -1;
            int n = _count, chunk = n >> ChunkBits;
            if (chunk == _chunks.Length)
            {
                var grown = new float[chunk + 1][];
                _chunks.CopyTo(grown, 0);
                grown[chunk] = new float[(1 << ChunkBits) * Table.Dim];
                Volatile.Write(ref _chunks, grown);
            }
            vector.CopyTo(_chunks[chunk].AsSpan((n & ((1 << ChunkBits) - 1)) * Table.Dim, Table.Dim));
            id = First + n;
            Volatile.Write(ref _count, n + 1);
            _ids[word] = id; // published after its vector is written
            return id;
        }
    }

    /// <summary>The composed vector of an id that <see cref="Id"/> gave.</summary>
    public ReadOnlySpan<float> Row(int id)
    {
        int n = id - First;
        if ((uint)n >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(id), $"no composed word {id}");
        return Volatile.Read(ref _chunks)[n >> ChunkBits].AsSpan((n & ((1 << ChunkBits) - 1)) * Table.Dim, Table.Dim);
    }
}
