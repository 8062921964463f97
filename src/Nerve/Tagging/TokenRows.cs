using System.Collections.Concurrent;

namespace Nerve.Tagging;

/// <summary>
/// The cache rows of tokens by their ids, for <see cref="WindowTagger"/>: a token's slot x (table rows, composed word
/// vector, character feature r), and so its products W_c x, depend on its ids alone (table ids and character ids), so
/// they key the row. Shared by the threads of one tagger: a row is added after its products are written, and a lookup
/// allocates nothing.
/// </summary>
internal sealed class TokenRows
{
    private readonly ConcurrentDictionary<string, int> _map = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public TokenRows() => _lookup = _map.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The cache row of the token with ids <paramref name="ids"/>, if it has one.</summary>
    public bool TryGet(ReadOnlySpan<int> ids, out int row)
    {
        Span<char> key = stackalloc char[2 * ids.Length];
        Key(ids, key);
        return _lookup.TryGetValue(key, out row);
    }

    /// <summary>Publishes <paramref name="row"/> (its products already written) for the token; the first row published stays.</summary>
    public void Add(ReadOnlySpan<int> ids, int row)
    {
        Span<char> key = stackalloc char[2 * ids.Length];
        Key(ids, key);
        _map.TryAdd(new string(key), row);
    }

    /// <summary>Two UTF-16 units per id: an injective key for any alphabet size.</summary>
    private static void Key(ReadOnlySpan<int> ids, Span<char> key)
    {
        for (int i = 0; i < ids.Length; i++)
        {
            key[2 * i] = (char)(ids[i] & 0xFFFF);
            key[2 * i + 1] = (char)((uint)ids[i] >> 16);
        }
    }
}
