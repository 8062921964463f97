using System.Text;
using Nerve.Text;

namespace Nerve.Features;

/// <summary>
/// Typed lists of (multi-word) names, matched case-insensitively against sentences: per type, the longest entry starting
/// at each position wins, and its tokens are tagged B (first) and I (rest); see <see cref="Match"/>.
/// Loaded from a directory of files that are either `TYPE&lt;TAB&gt;entry` lines or one entry per line, typed by the file
/// name up to its first '.' (LOC.txt, ORG.wiki.lst → LOC, ORG).
/// </summary>
public sealed class Gazetteer
{
    public const int None = 1, Begin = 2, Inside = 3; // 0 is the padding id

    private readonly Dictionary<string, int> _types = new(StringComparer.Ordinal);
    private readonly List<string> _typeNames = [];
    // Per type: every entry's token prefixes ("new", "new york") → whether the prefix is itself an entry. Empty for a
    // gazetteer read from its index (FromIndex), which keeps the serialized text instead.
    private readonly List<SpanKeyMap<bool>> _prefixes = [];
    private readonly List<int> _longest = [];
    private byte[]? _text; // UTF-8 of Serialize's text, for a gazetteer read from its index
    // The lookup structure Match reads: [T, (count_t, longest_t) for each type, then each type's sorted prefix keys
    // (Key: a 64-bit hash of the prefix, its low bit set when the prefix is itself an entry)], and where each type's
    // keys begin in it (and the end). Built on first use, published as one reference.
    private Lookup? _lookup;
    private readonly Lock _build = new();

    private sealed record Lookup(long[] Index, int[] Starts);

    public IReadOnlyList<string> Types => _typeNames;

    public int Entries { get; private set; }

    /// <summary>Adds one entry of a type; the entry is lowercased and split on white space.</summary>
    public void Add(string type, string entry)
    {
        var tokens = entry.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 0) return;
        AddNormalized(TypeIndex(type), string.Join(' ', tokens));
    }

    private int TypeIndex(string type)
    {
        if (_types.TryGetValue(type, out int t)) return t;
        t = _typeNames.Count;
        _types.Add(type, t);
        _typeNames.Add(type);
        _prefixes.Add(new SpanKeyMap<bool>());
        _longest.Add(0);
        return t;
    }

    /// <summary>Adds an entry already lowercased with its tokens joined by single spaces (as <see cref="Serialize"/> writes it).</summary>
    private void AddNormalized(int t, ReadOnlySpan<char> entry)
    {
        if (_text is not null) throw new InvalidOperationException("a gazetteer read from its index takes no new entries");
        var map = _prefixes[t];
        int tokens = 1;
        for (int i = 0; i < entry.Length; i++)
        {
            if (entry[i] != ' ') continue;
            tokens++;
            if (!map.TryGetValue(entry[..i], out _)) map.Set(entry[..i], false);
        }
        map.Set(entry, true);
        if (tokens > _longest[t]) _longest[t] = tokens;
        Entries++;
        _lookup = null;
    }

    /// <summary>Whether <see cref="Add"/> would store <paramref name="entry"/> unchanged: lowercase, tokens joined by single spaces.</summary>
    private static bool IsNormalized(ReadOnlySpan<char> entry)
    {
        if (entry.IsEmpty || entry[0] == ' ' || entry[^1] == ' ' || entry.IndexOf("  ") >= 0) return false;
        if (!entry.ContainsAnyExceptInRange(' ', '~')) return !entry.ContainsAnyInRange('A', 'Z'); // printable ASCII: vectorized
        foreach (char c in entry)
            if (c != ' ' && char.IsWhiteSpace(c)) return false;
        Span<char> lower = entry.Length <= 256 ? stackalloc char[entry.Length] : new char[entry.Length];
        entry.ToLowerInvariant(lower);
        return lower.SequenceEqual(entry);
    }

    /// <summary>Reads every file of <paramref name="directory"/> (sorted by name, so the result is reproducible).</summary>
    public static Gazetteer Load(string directory)
    {
        if (!Directory.Exists(directory)) throw new NerveException($"{directory}: gazetteer directory not found");
        var g = new Gazetteer();
        foreach (var path in Directory.GetFiles(directory).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(path);
            if (name.StartsWith('.') || name.EndsWith(".md", StringComparison.OrdinalIgnoreCase)) continue;
            string fileType = name.Split('.')[0];
            long lineNo = 0;
            foreach (var line in File.ReadLines(path))
            {
                lineNo++;
                if (line.Length == 0) continue;
                int tab = line.IndexOf('\t', StringComparison.Ordinal);
                if (tab == 0) throw new NerveDataException(path, lineNo, "TYPE<TAB>entry or an entry", "an empty type: " + NerveDataException.Quote(line));
                if (tab > 0) g.Add(line[..tab], line[(tab + 1)..]);
                else g.Add(fileType, line);
            }
        }
        if (g.Entries == 0) throw new NerveException($"{directory}: no gazetteer entries found");
        g.Build();
        return g;
    }

    /// <summary>Writes the lists as `TYPE&lt;TAB&gt;entry` lines (for the model file), entries in ordinal order.</summary>
    public string Serialize()
    {
        if (_text is not null) return Encoding.UTF8.GetString(_text);
        var sb = new StringBuilder();
        for (int t = 0; t < _typeNames.Count; t++)
            foreach (var (k, full) in _prefixes[t].Entries().OrderBy(p => p.Key, StringComparer.Ordinal))
                if (full) sb.Append(_typeNames[t]).Append('\t').Append(k).Append('\n');
        return sb.ToString();
    }

    /// <summary>Reads what <see cref="Serialize"/> wrote; its entries are already normalised, so only other lines go through <see cref="Add"/>.</summary>
    public static Gazetteer Deserialize(string text)
    {
        var g = new Gazetteer();
        var rest = text.AsSpan();
        string lastType = "";
        int t = -1;
        while (!rest.IsEmpty)
        {
            int eol = rest.IndexOf('\n');
            var line = eol < 0 ? rest : rest[..eol];
            rest = eol < 0 ? [] : rest[(eol + 1)..];
            int tab = line.IndexOf('\t');
            if (tab <= 0) continue;
            var type = line[..tab];
            var entry = line[(tab + 1)..];
            if (!IsNormalized(entry))
            {
                g.Add(type.ToString(), entry.ToString());
                continue;
            }
            if (t < 0 || !type.SequenceEqual(lastType))
            {
                lastType = type.ToString();
                t = g.TypeIndex(lastType);
            }
            g.AddNormalized(t, entry);
        }
        g.Build();
        return g;
    }

    /// <summary>
    /// The index <see cref="Match"/> reads, as stored in a model: [T, (count_t, longest_t) for each type t, then each
    /// type's prefix keys in ascending order]. A key is <see cref="Hash"/> of a prefix ("new", "new york") of an entry,
    /// its low bit set when the prefix is itself an entry; prefixes whose hashes collide share a key.
    /// </summary>
    public long[] Index() => (_lookup ?? Build()).Index;

    private Lookup Build()
    {
        lock (_build)
        {
            if (_lookup is { } built) return built;
        }
        int types = _typeNames.Count;
        var keys = new long[types][];
        for (int t = 0; t < types; t++)
        {
            var list = new List<long>(_prefixes[t].Count);
            foreach (var (k, full) in _prefixes[t].Entries())
            {
                ulong h = Start;
                foreach (char c in k) h = Step(h, c);
                list.Add(Key(h) | (full ? 1L : 0L));
            }
            list.Sort();
            // Merge keys equal but for the entry bit (two prefixes of one hash): the entry bit of either stands.
            int w = 0;
            for (int i = 0; i < list.Count; i++)
            {
                if (w > 0 && (list[w - 1] & ~1L) == (list[i] & ~1L)) list[w - 1] |= list[i];
                else list[w++] = list[i];
            }
            keys[t] = [.. list.Take(w)];
        }
        var index = new long[1 + 2 * types + keys.Sum(k => k.Length)];
        index[0] = types;
        int at = 1 + 2 * types;
        for (int t = 0; t < types; t++)
        {
            index[1 + 2 * t] = keys[t].Length;
            index[2 + 2 * t] = _longest[t];
            keys[t].CopyTo(index, at);
            at += keys[t].Length;
        }
        lock (_build) return _lookup ??= MakeLookup(index);
    }

    /// <summary>
    /// A gazetteer read back from its <see cref="Index"/> and the text <see cref="Serialize"/> wrote (kept to be saved
    /// again, not parsed): <paramref name="types"/> names the index's types in order.
    /// </summary>
    public static Gazetteer FromIndex(long[] index, IReadOnlyList<string> types, int entries, byte[] text)
    {
        var g = new Gazetteer { Entries = entries, _text = text };
        if (index.Length < 1 || index[0] != types.Count || index.Length < 1 + 2 * types.Count)
            throw new ArgumentException($"the gazetteer index does not hold {types.Count} types", nameof(index));
        foreach (var t in types)
        {
            g._types.Add(t, g._typeNames.Count);
            g._typeNames.Add(t);
        }
        for (int t = 0; t < types.Count; t++) g._longest.Add(checked((int)index[2 + 2 * t]));
        g._lookup = MakeLookup(index);
        return g;
    }

    private static Lookup MakeLookup(long[] index)
    {
        int types = (int)index[0];
        var starts = new int[types + 1];
        long at = 1 + 2 * types;
        for (int t = 0; t < types; t++)
        {
            starts[t] = checked((int)at);
            at += index[1 + 2 * t];
        }
        if (at != index.Length) throw new ArgumentException($"the gazetteer index holds {index.Length} values, its counts say {at}", nameof(index));
        starts[types] = (int)at;
        return new Lookup(index, starts);
    }

    // FNV-1a over the prefix's UTF-16 code units, finished by MurmurHash3's fmix64; stable across processes (the keys are saved).
    private const ulong Start = 14695981039346656037UL;

    private static ulong Step(ulong h, char c) => (h ^ c) * 1099511628211UL;

    private static long Key(ulong h)
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return (long)(h & ~1UL);
    }

    /// <summary>
    /// For type <paramref name="type"/>, tags (n) ∈ {None, Begin, Inside}: left to right, the longest entry starting at a
    /// position is taken and matching resumes after it. The prefixes "tok", "tok tok", … are hashed as they grow and
    /// looked up by binary search in the type's sorted keys.
    /// </summary>
    public void Match(IReadOnlyList<string> lowercased, int type, Span<int> tags)
    {
        var lookup = _lookup ?? Build();
        var keys = lookup.Index.AsSpan(lookup.Starts[type], lookup.Starts[type + 1] - lookup.Starts[type]);
        int n = lowercased.Count, longest = _longest[type];
        tags[..n].Fill(None);
        int i = 0;
        while (i < n)
        {
            int best = 0;
            ulong h = Start;
            for (int len = 1; len <= longest && i + len <= n; len++)
            {
                if (len > 1) h = Step(h, ' ');
                foreach (char c in lowercased[i + len - 1]) h = Step(h, c);
                long key = Key(h);
                int at = keys.BinarySearch(key);
                if (at < 0) at = ~at;
                if (at >= keys.Length || (keys[at] & ~1L) != key) break;
                if ((keys[at] & 1) != 0) best = len;
            }
            if (best == 0) { i++; continue; }
            tags[i] = Begin;
            for (int j = 1; j < best; j++) tags[i + j] = Inside;
            i += best;
        }
    }
}
