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
    // Per type: every entry's token prefixes ("new", "new york") → whether the prefix is itself an entry.
    private readonly List<SpanKeyMap<bool>> _prefixes = [];
    private readonly List<int> _longest = [];

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
        return g;
    }

    /// <summary>Writes the lists as `TYPE&lt;TAB&gt;entry` lines (for the model file), entries in ordinal order.</summary>
    public string Serialize()
    {
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
        return g;
    }

    /// <summary>
    /// For type <paramref name="type"/>, tags (n) ∈ {None, Begin, Inside}: left to right, the longest entry starting at a
    /// position is taken and matching resumes after it.
    /// </summary>
    public void Match(IReadOnlyList<string> lowercased, int type, Span<int> tags)
    {
        var map = _prefixes[type];
        int n = lowercased.Count, longest = _longest[type];
        tags[..n].Fill(None);
        Span<char> key = stackalloc char[256]; // "tok tok …", grown for longer candidates
        int i = 0;
        while (i < n)
        {
            int best = 0, length = 0;
            for (int len = 1; len <= longest && i + len <= n; len++)
            {
                var token = lowercased[i + len - 1];
                int need = length + (len > 1 ? 1 : 0) + token.Length;
                if (need > key.Length)
                {
                    var grown = new char[Math.Max(need, 2 * key.Length)];
                    key[..length].CopyTo(grown);
                    key = grown;
                }
                if (len > 1) key[length++] = ' ';
                token.CopyTo(key[length..]);
                length += token.Length;
                if (!map.TryGetValue(key[..length], out bool full)) break;
                if (full) best = len;
            }
            if (best == 0) { i++; continue; }
            tags[i] = Begin;
            for (int j = 1; j < best; j++) tags[i + j] = Inside;
            i += best;
        }
    }
}
