using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Nerve.Corpus;
using Nerve.IO;

namespace Nerve.Features;

/// <summary>Which features join the lowercased word in every window slot, and their embedding sizes.</summary>
public sealed record FeatureOptions
{
    /// <summary>Capitalisation class of the original-case word (Collobert's caps feature, with digits and symbols apart).</summary>
    public bool Caps { get; init; }
    public int CapsDim { get; init; } = 5;
    /// <summary>Lengths of lowercased prefixes with their own embedding (e.g. [3]).</summary>
    public IReadOnlyList<int> Prefixes { get; init; } = [];
    /// <summary>Lengths of lowercased suffixes with their own embedding (Collobert used 2; e.g. [2, 3]).</summary>
    public IReadOnlyList<int> Suffixes { get; init; } = [];
    public int AffixDim { get; init; } = 10;
    /// <summary>Affixes seen fewer times in training share the unknown row.</summary>
    public int AffixMinCount { get; init; } = 2;
    /// <summary>A directory of gazetteer lists (see <see cref="Gazetteer.Load"/>); one B/I/none table per type.</summary>
    public string? Gazetteers { get; init; }
    public int GazetteerDim { get; init; } = 4;
    /// <summary>The character-level convolution (CharWNN), or null for none; omitted from a saved model without it.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public CharOptions? Chars { get; init; }
    /// <summary>
    /// Embedding size of each of the two non-local document tables (<see cref="DocumentContext"/>), 0 for none; omitted
    /// from a saved model without them.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public int DocContext { get; init; }
}

/// <summary>
/// The character-level convolution of dos Santos &amp; Guimarães (2015): character embeddings of <see cref="Dim"/>,
/// <see cref="Filters"/> filters over windows of <see cref="Width"/> characters, words as <see cref="MaxLength"/>
/// character ids (<see cref="CharAlphabet"/>).
/// </summary>
public sealed record CharOptions
{
    public int Dim { get; init; } = 25;
    public int Filters { get; init; } = 50;
    public int Width { get; init; } = 3;
    public int MaxLength { get; init; } = 20;
}

/// <summary>
/// Turns a sentence into per-token ids, one per feature table (the word table L first), and provides the ids of
/// the &lt;s&gt; / &lt;/s&gt; padding. The window input is the concatenation of these tables' rows over 2m + 1 tokens.
/// Everything it needs (affix lists, gazetteer entries) is saved in the model file, so tagging featurizes exactly as training did.
/// </summary>
public sealed class Featurizer
{
    /// <summary>Capitalisation classes; 0 is padding.</summary>
    public const int CapsClasses = 7;

    private readonly List<(string Name, bool Prefix, int Length, Dictionary<string, int> Ids)> _affixes = [];
    private readonly FeatureOptions _o;

    public Featurizer(Vocabulary words) : this(words, new FeatureOptions(), null, null) { }

    private Featurizer(Vocabulary words, FeatureOptions options, Gazetteer? gazetteer, CharAlphabet? chars, Vectors.SubwordTable? subwords = null)
    {
        Words = words;
        _o = options;
        Gazetteer = gazetteer;
        Chars = chars;
        Subwords = subwords is null ? null : new SubwordLexicon(subwords, words.Count);
    }

    /// <summary>Composed vectors for words outside the vocabulary (ids ≥ its size), or null: those words are UUUNKKK.</summary>
    public SubwordLexicon? Subwords { get; }

    /// <summary>The characters of the character-level convolution, or null without it.</summary>
    public CharAlphabet? Chars { get; }

    /// <summary>Where a token's <see cref="CharAlphabet.MaxLength"/> character ids start among its ids: after the word, caps and affix ids.</summary>
    public int CharColumn => 1 + (_o.Caps ? 1 : 0) + _affixes.Count;

    /// <summary>The word vocabulary (PA4 normalisation: lowercase, digit shapes, UUUNKKK).</summary>
    public Vocabulary Words { get; }

    public FeatureOptions Options => _o;

    public Gazetteer? Gazetteer { get; }

    /// <summary>F: ids per token (one per embedding table, plus the character ids).</summary>
    public int Count => DocumentColumn + (HasDocumentContext ? DocumentContext.Count : 0);

    /// <summary>Whether tokens carry the non-local document ids (<see cref="DocumentContext"/>), computed per document.</summary>
    public bool HasDocumentContext => _o.DocContext > 0;

    /// <summary>Where a token's document ids start: after the word-level and gazetteer ids.</summary>
    public int DocumentColumn => WordLevelCount + (Gazetteer?.Types.Count ?? 0);

    /// <summary>Builds the affix lists from the training sentences and loads the gazetteers.</summary>
    public static Featurizer Build(Vocabulary words, FeatureOptions options, IReadOnlyList<Sentence> train, Vectors.SubwordTable? subwords = null)
    {
        var chars = options.Chars is null ? null : CharAlphabet.Build(train.SelectMany(s => s.Words), options.Chars.MaxLength);
        var f = new Featurizer(words, options, options.Gazetteers is null ? null : Gazetteer.Load(options.Gazetteers), chars, subwords);
        foreach (var (prefix, lengths) in new[] { (true, options.Prefixes), (false, options.Suffixes) })
            foreach (int len in lengths)
            {
                if (len < 1) throw new NerveException($"affix lengths must be ≥ 1, found {len}");
                var counts = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var s in train)
                    foreach (var w in s.Words)
                    {
                        var a = Affix(w, prefix, len);
                        counts[a] = counts.GetValueOrDefault(a) + 1;
                    }
                var kept = counts.Where(kv => kv.Value >= options.AffixMinCount).Select(kv => kv.Key).Order(StringComparer.Ordinal);
                f.AddAffix(prefix, len, kept);
            }
        return f;
    }

    private void AddAffix(bool prefix, int len, IEnumerable<string> entries)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in entries) ids.Add(e, ids.Count + 2); // 0 padding, 1 unknown
        _affixes.Add(((prefix ? "prefix" : "suffix") + len.ToString(System.Globalization.CultureInfo.InvariantCulture), prefix, len, ids));
    }

    /// <summary>The lowercased affix of a word; words shorter than the affix are marked with '^'.</summary>
    public static string Affix(string word, bool prefix, int len)
    {
        var w = word.ToLowerInvariant();
        if (w.Length < len) return "^" + w;
        return prefix ? w[..len] : w[^len..];
    }

    /// <summary>Capitalisation class: 1 lower, 2 Title, 3 UPPER, 4 mIxed, 5 no letters but digits, 6 other.</summary>
    public static int CapsClass(string word)
    {
        int letters = 0, upper = 0, digits = 0;
        foreach (char c in word)
        {
            if (char.IsLetter(c)) { letters++; if (char.IsUpper(c)) upper++; }
            else if (char.IsDigit(c)) digits++;
        }
        if (letters == 0) return digits > 0 ? 5 : 6;
        if (upper == 0) return 1;
        if (upper == letters) return 3;
        return upper == 1 && char.IsUpper(word[0]) ? 2 : 4;
    }

    /// <summary>The feature tables in window-slot order, with the word table's dimension.</summary>
    public IReadOnlyList<FeatureSpec> Specs(int wordDim)
    {
        var specs = new List<FeatureSpec> { new("word", Words.Count, wordDim) };
        if (_o.Caps) specs.Add(new FeatureSpec("caps", CapsClasses, _o.CapsDim));
        foreach (var a in _affixes) specs.Add(new FeatureSpec(a.Name, a.Ids.Count + 2, _o.AffixDim));
        if (Gazetteer is not null)
            foreach (var t in Gazetteer.Types) specs.Add(new FeatureSpec("gaz_" + t, 4, _o.GazetteerDim));
        if (HasDocumentContext)
            foreach (var name in DocumentContext.Names) specs.Add(new FeatureSpec(name, DocumentContext.Classes, _o.DocContext));
        return specs;
    }

    /// <summary>Ids per token that depend on the word alone (word, caps, affixes, characters); the gazetteer ids follow them.</summary>
    public int WordLevelCount => CharColumn + (Chars?.MaxLength ?? 0);

    /// <summary>ids (n, F) for the n words of a sentence.</summary>
    public void Featurize(IReadOnlyList<string> words, Span<int> ids) => Featurize(words, ids, null);

    /// <summary>
    /// ids (n, F) for the n words of a sentence; <paramref name="memo"/> (one per thread) remembers the word-level ids of
    /// words already seen, so a large input normalises and looks up each distinct word once instead of once per token.
    /// </summary>
    public void Featurize(IReadOnlyList<string> words, Span<int> ids, WordMemo? memo)
    {
        int f = Count, n = words.Count, own = WordLevelCount;
        for (int i = 0; i < n; i++)
        {
            var row = ids.Slice(i * f, own);
            var word = words[i];
            if (memo is not null && memo.TryGet(word, row)) continue;
            FeaturizeWord(word, row);
            memo?.Add(word, row);
        }
        FeaturizeGazetteers(words, ids);
    }

    /// <summary>The <see cref="WordLevelCount"/> ids of one word: its word row, caps class, affix rows and characters.</summary>
    public void FeaturizeWord(string word, Span<int> row)
    {
        int k = 0;
        row[k++] = WordId(word);
        if (_o.Caps) row[k++] = CapsClass(word);
        foreach (var a in _affixes)
            row[k++] = a.Ids.TryGetValue(Affix(word, a.Prefix, a.Length), out int id) ? id : 1;
        Chars?.Encode(word, row.Slice(k, Chars.MaxLength));
    }

    /// <summary>
    /// The word's row: its vocabulary entry (<see cref="Vocabulary.Lookup(string)"/>), or, for a word that would be
    /// UUUNKKK, its composed id from <see cref="Subwords"/> when it has one.
    /// </summary>
    public int WordId(string word)
    {
        int id = Words.Lookup(word);
        if (id != Words.UnknownIndex || Subwords is not { } s) return id;
        int composed = s.Id(Words.Lowercase ? word.ToLowerInvariant() : word);
        return composed >= 0 ? composed : id;
    }

    /// <summary>The gazetteer ids (the last ones of each token's F) of a sentence's words, in ids (n, F); none without gazetteers.</summary>
    public void FeaturizeGazetteers(IReadOnlyList<string> words, Span<int> ids)
    {
        int f = Count, n = words.Count;
        if (Gazetteer is null || n == 0) return;
        var lower = words.Select(w => w.ToLowerInvariant()).ToArray();
        Span<int> tags = n <= 512 ? stackalloc int[n] : new int[n];
        int first = WordLevelCount;
        for (int t = 0; t < Gazetteer.Types.Count; t++)
        {
            Gazetteer.Match(lower, t, tags);
            for (int i = 0; i < n; i++) ids[i * f + first + t] = tags[i];
        }
    }

    /// <summary>
    /// The document ids of every token of one document's sentences (<see cref="DocumentContext"/>), into the ids (n, F)
    /// that <paramref name="ids"/> gives for each sentence; nothing without document features. The other ids of a
    /// sentence do not depend on its document.
    /// </summary>
    public void FeaturizeDocument(IReadOnlyList<IReadOnlyList<string>> sentences, DocumentContext.SentenceIds ids)
    {
        if (HasDocumentContext) DocumentContext.Compute(sentences, ids, Count, DocumentColumn);
    }

    /// <summary>ids (F) of the padding before a sentence (seed: &lt;s&gt;); every other feature pads with 0.</summary>
    public void StartPadding(Span<int> ids)
    {
        ids.Clear();
        ids[0] = Words.StartIndex;
        Chars?.EncodeEmpty(ids.Slice(CharColumn, Chars.MaxLength));
    }

    /// <summary>ids (F) of the padding after a sentence (seed: &lt;/s&gt;).</summary>
    public void EndPadding(Span<int> ids)
    {
        ids.Clear();
        ids[0] = Words.EndIndex;
        Chars?.EncodeEmpty(ids.Slice(CharColumn, Chars.MaxLength));
    }

    private sealed record Saved(FeatureOptions Options, Dictionary<string, string[]> Affixes, bool HasGazetteer,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Characters = null,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string[]? GazetteerTypes = null,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)] int GazetteerEntries = 0);

    /// <summary>Stores the options, affix lists and gazetteer entries in a model file.</summary>
    public void Save(SafeTensorsWriter w)
    {
        var saved = new Saved(_o with { Gazetteers = null }, _affixes.ToDictionary(a => a.Name, a => a.Ids.OrderBy(kv => kv.Value).Select(kv => kv.Key).ToArray()), Gazetteer is not null, Chars?.Characters,
            Gazetteer is null ? null : [.. Gazetteer.Types], Gazetteer?.Entries ?? 0);
        w.AddMetadata("nerve.features", JsonSerializer.Serialize(saved));
        if (Gazetteer is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(Gazetteer.Serialize());
            w.Add("gazetteer", bytes, bytes.LongLength);
            // The lookup structure itself, so that loading reads it instead of parsing the entries (models before it parse them).
            var index = Gazetteer.Index();
            w.Add("gazetteer.index", index, index.LongLength);
        }
        if (Subwords?.Table is { } t)
        {
            w.AddMetadata(SubwordsKey, JsonSerializer.Serialize(new SavedSubwords(t.MinN, t.MaxN, t.Buckets, t.Lowercase)));
            w.Add("subword_buckets", t.BucketIds, t.Count);
            w.Add("subword_rows", t.Rows, t.Count, t.Dim);
        }
    }

    /// <summary>The metadata entry of a model with composed vectors for unknown words; absent otherwise.</summary>
    public const string SubwordsKey = "nerve.subwords";

    private sealed record SavedSubwords(int MinN, int MaxN, int Buckets, bool Lowercase);

    private static Vectors.SubwordTable? LoadSubwords(SafeTensorsFile f, string path)
    {
        if (!f.Metadata.TryGetValue(SubwordsKey, out var json)) return null;
        SavedSubwords saved;
        try { saved = JsonSerializer.Deserialize<SavedSubwords>(json) ?? throw new JsonException("null"); }
        catch (JsonException e) { throw new NerveDataException(path, 0, "a JSON subword description", e.Message); }
        foreach (var name in new[] { "subword_buckets", "subword_rows" })
            if (!f.Contains(name)) throw new NerveDataException(path, 0, $"tensor '{name}'", "no such tensor");
        var ids = f.GetInt32("subword_buckets", out _);
        var rows = f.GetFloat("subword_rows", out var shape);
        if (shape.Length != 2 || shape[0] != ids.Length)
            throw new NerveDataException(path, 0, $"tensor 'subword_rows' with {ids.Length} rows", $"shape [{string.Join(",", shape)}]");
        return new Vectors.SubwordTable(saved.MinN, saved.MaxN, saved.Buckets, saved.Lowercase, (int)shape[1], ids, rows);
    }

    /// <summary>The featurizer saved by <see cref="Save"/> (a model without the entry is word-only).</summary>
    public static Featurizer Load(SafeTensorsFile f, string path, Vocabulary words)
    {
        if (!f.Metadata.TryGetValue("nerve.features", out var json)) return new Featurizer(words);
        Saved saved;
        try { saved = JsonSerializer.Deserialize<Saved>(json) ?? throw new JsonException("null"); }
        catch (JsonException e) { throw new NerveDataException(path, 0, "a JSON feature description", e.Message); }
        Gazetteer? g = null;
        if (saved.HasGazetteer)
        {
            if (!f.Contains("gazetteer")) throw new NerveDataException(path, 0, "tensor 'gazetteer'", "no such tensor");
            g = saved.GazetteerTypes is { } types && f.Contains("gazetteer.index")
                ? Gazetteer.FromIndex(f.GetInt64("gazetteer.index", out _), types, saved.GazetteerEntries, f.GetBytes("gazetteer", out _))
                : Gazetteer.Deserialize(Encoding.UTF8.GetString(f.GetBytes("gazetteer", out _)));
        }
        CharAlphabet? chars = null;
        if (saved.Options.Chars is { } co)
        {
            if (saved.Characters is null) throw new NerveDataException(path, 0, "the character alphabet of the character convolution", "none");
            chars = new CharAlphabet(saved.Characters, co.MaxLength);
        }
        var fz = new Featurizer(words, saved.Options, g, chars, LoadSubwords(f, path));
        foreach (var (prefix, lengths) in new[] { (true, saved.Options.Prefixes), (false, saved.Options.Suffixes) })
            foreach (int len in lengths)
            {
                string name = (prefix ? "prefix" : "suffix") + len.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (!saved.Affixes.TryGetValue(name, out var entries)) throw new NerveDataException(path, 0, $"affix list '{name}'", "none");
                fz.AddAffix(prefix, len, entries);
            }
        return fz;
    }
}

/// <summary>
/// One worker's memo of word-level feature ids (<see cref="Featurizer.WordLevelCount"/> per distinct word), bounded by
/// <paramref name="capacity"/> words; words beyond it are featurized as usual.
/// </summary>
public sealed class WordMemo
{
    private readonly Text.SpanKeyMap<int> _index = new(); // word → its entry
    private readonly List<string> _words = [];
    private readonly List<int> _rows = [];
    private readonly int _width, _capacity;

    public WordMemo(int width, int capacity = 1 << 20)
    {
        _width = width;
        _capacity = capacity;
    }

    internal bool TryGet(string word, Span<int> row) => TryGet(word, row, out _);

    /// <summary>The ids of a word given as characters (no string made), and the word as the memo holds it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal bool TryGet(ReadOnlySpan<char> word, Span<int> row, out string key)
    {
        if (!_index.TryGetValue(word, out int entry))
        {
            key = "";
            return false;
        }
        key = _words[entry];
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_rows).Slice(entry * _width, _width).CopyTo(row);
        return true;
    }

    internal void Add(string word, ReadOnlySpan<int> row)
    {
        if (_words.Count >= _capacity) return;
        _index.Set(word, _words.Count);
        _words.Add(word);
        _rows.AddRange(row);
    }
}
