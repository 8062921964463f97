using System.Text;

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
    private readonly List<Dictionary<string, bool>> _prefixes = [];
    private readonly List<int> _longest = [];

    public IReadOnlyList<string> Types => _typeNames;

    public int Entries { get; private set; }

    /// <summary>Adds one entry of a type; the entry is lowercased and split on white space.</summary>
    public void Add(string type, string entry)
    {
        var tokens = entry.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 0) return;
        if (!_types.TryGetValue(type, out int t))
        {
            t = _typeNames.Count;
            _types.Add(type, t);
            _typeNames.Add(type);
            _prefixes.Add(new Dictionary<string, bool>(StringComparer.Ordinal));
            _longest.Add(0);
        }
        var map = _prefixes[t];
        var key = new StringBuilder();
        for (int i = 0; i < tokens.Length; i++)
        {
            if (i > 0) key.Append(' ');
            key.Append(tokens[i]);
            string k = key.ToString();
            bool full = i == tokens.Length - 1;
            if (map.TryGetValue(k, out bool was)) { if (full && !was) map[k] = true; }
            else map.Add(k, full);
        }
        if (tokens.Length > _longest[t]) _longest[t] = tokens.Length;
        Entries++;
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
            foreach (var (k, full) in _prefixes[t].OrderBy(p => p.Key, StringComparer.Ordinal))
                if (full) sb.Append(_typeNames[t]).Append('\t').Append(k).Append('\n');
        return sb.ToString();
    }

    public static Gazetteer Deserialize(string text)
    {
        var g = new Gazetteer();
        foreach (var line in text.Split('\n'))
        {
            int tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab > 0) g.Add(line[..tab], line[(tab + 1)..]);
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
        int n = lowercased.Count;
        tags[..n].Fill(None);
        var key = new StringBuilder();
        int i = 0;
        while (i < n)
        {
            int best = 0;
            key.Clear();
            for (int len = 1; len <= _longest[type] && i + len <= n; len++)
            {
                if (len > 1) key.Append(' ');
                key.Append(lowercased[i + len - 1]);
                if (!map.TryGetValue(key.ToString(), out bool full)) break;
                if (full) best = len;
            }
            if (best == 0) { i++; continue; }
            tags[i] = Begin;
            for (int j = 1; j < best; j++) tags[i + j] = Inside;
            i += best;
        }
    }
}
