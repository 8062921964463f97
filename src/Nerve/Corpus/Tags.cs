namespace Nerve.Corpus;

/// <summary>
/// Tag strings and the spans they encode. A tag is "O", a prefixed "B-", "I-", "E-" or "S-" followed by
/// the type (which may contain hyphens), or a bare type as in IO corpora ("PER", read as "I-PER").
/// </summary>
public static class Tags
{
    public const string Outside = "O";

    /// <summary>Splits a tag into prefix and type: "B-date-time" → ("B", "date-time"), "O" → ("O", ""), "PER" → ("I", "PER").</summary>
    public static (string Prefix, string Type) Split(string tag)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        if (tag == Outside)
            return (Outside, "");
        if (tag.Length > 2 && tag[1] == '-' && tag[0] is 'B' or 'I' or 'E' or 'S')
            return (tag[..1], tag[2..]);
        return ("I", tag);
    }

    /// <summary>True when the tag carries one of the prefixes B-, I-, E-, S- (so it is not "O" and not a bare type).</summary>
    public static bool IsPrefixed(string tag) =>
        tag.Length > 2 && tag[1] == '-' && tag[0] is 'B' or 'I' or 'E' or 'S';

    /// <summary>
    /// True for a tag that looks prefixed but is not a tag: a prefix other than B, I, E, S ("X-FOO"), or a prefix with no
    /// type ("B-"). Bare types ("PER", "date-time") and "O" are well formed.
    /// </summary>
    public static bool IsMalformed(ReadOnlySpan<char> tag) =>
        tag.Length >= 2 && tag[1] == '-' && (tag.Length == 2 || tag[0] is not ('B' or 'I' or 'E' or 'S'));

    /// <summary>
    /// Index of the first tag of <paramref name="tags"/> that <paramref name="scheme"/> does not allow where it stands, or -1.
    /// IOB2 and BIOES: I- (and E-) continue a B- or I- of the same type; BIOES also ends every B- or I- with I- or E- of
    /// its type. IOB1: B- only follows a token of the same type. IO allows everything.
    /// </summary>
    public static int FirstViolation(IReadOnlyList<string> tags, TagScheme scheme)
    {
        if (scheme == TagScheme.IO) return -1;
        string previousPrefix = Outside, previousType = "";
        for (int i = 0; i < tags.Count; i++)
        {
            var (prefix, type) = Split(tags[i]);
            bool continues = previousPrefix is "B" or "I" && previousType == type;
            bool ok = scheme switch
            {
                TagScheme.IOB1 => prefix != "B" || previousType == type,
                TagScheme.IOB2 => prefix != "I" || continues,
                _ => (prefix is not ("I" or "E") || continues) && (previousPrefix is not ("B" or "I") || (prefix is "I" or "E" && previousType == type)),
            };
            if (!ok) return i;
            previousPrefix = prefix;
            previousType = type;
        }
        return scheme == TagScheme.BIOES && previousPrefix is "B" or "I" ? tags.Count - 1 : -1;
    }

    /// <summary>
    /// Decodes tags into spans, leniently. In IOB1, IOB2 and BIOES: B- and S- always start a span, S- and E- end it,
    /// and an I- or E- tag continues the open span only when that has the same type, otherwise it starts a new one.
    /// In IO, prefixes are ignored and every maximal run of one type is one span.
    /// </summary>
    public static Span[] ToSpans(IReadOnlyList<string> tags, TagScheme scheme)
    {
        var spans = new List<Span>();
        int start = -1;
        string type = "";
        for (int i = 0; i < tags.Count; i++)
        {
            var (prefix, t) = Split(tags[i]);
            bool continues = start >= 0 && t == type
                && (scheme == TagScheme.IO || prefix is "I" or "E");
            if (continues)
            {
                if (prefix == "E" && scheme != TagScheme.IO)
                    Close(i + 1);
                continue;
            }
            Close(i);
            if (prefix == Outside)
                continue;
            start = i;
            type = t;
            if (scheme != TagScheme.IO && prefix is "S" or "E")
                Close(i + 1);
        }
        Close(tags.Count);
        return [.. spans];

        void Close(int end)
        {
            if (start >= 0)
                spans.Add(new Span(start, end, type));
            start = -1;
        }
    }

    /// <summary>Encodes spans as tags; IO tags are written "I-TYPE".</summary>
    /// <exception cref="ArgumentException">Spans that overlap, are out of order, empty, outside the sentence or untyped.</exception>
    public static string[] FromSpans(int length, IReadOnlyList<Span> spans, TagScheme scheme) =>
        FromSpans(length, spans, scheme, bareIO: false);

    /// <summary>
    /// Encodes spans as tags. With <paramref name="bareIO"/>, IO tags are the bare type ("PER", the PA4 form);
    /// it has no effect on the other schemes. In IO, adjacent spans of one type become one run.
    /// </summary>
    public static string[] FromSpans(int length, IReadOnlyList<Span> spans, TagScheme scheme, bool bareIO)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var tags = new string[length];
        Array.Fill(tags, Outside);
        int previousEnd = 0;
        string previousType = "";
        foreach (var s in spans)
        {
            if (string.IsNullOrEmpty(s.Type))
                throw new ArgumentException($"span {s} has no type", nameof(spans));
            if (s.Start < previousEnd || s.End <= s.Start || s.End > length)
                throw new ArgumentException($"span {s} is empty, overlaps the previous one or lies outside 0..{length}", nameof(spans));
            for (int i = s.Start; i < s.End; i++)
            {
                tags[i] = scheme switch
                {
                    TagScheme.IO => bareIO ? s.Type : "I-" + s.Type,
                    TagScheme.IOB1 => i == s.Start && s.Start == previousEnd && previousType == s.Type ? "B-" + s.Type : "I-" + s.Type,
                    TagScheme.IOB2 => (i == s.Start ? "B-" : "I-") + s.Type,
                    TagScheme.BIOES => (s.Length == 1 ? "S-" : i == s.Start ? "B-" : i == s.End - 1 ? "E-" : "I-") + s.Type,
                    _ => throw new ArgumentOutOfRangeException(nameof(scheme), scheme, null),
                };
            }
            previousEnd = s.End;
            previousType = s.Type;
        }
        return tags;
    }

    /// <summary>
    /// Re-encodes tags in another scheme. Between IOB1, IOB2 and BIOES the spans are preserved exactly;
    /// converting to IO merges adjacent spans of the same type (IO cannot separate them). IO output is "I-TYPE".
    /// </summary>
    public static string[] Convert(IReadOnlyList<string> tags, TagScheme from, TagScheme to) =>
        FromSpans(tags.Count, ToSpans(tags, from), to);

    /// <summary>As <see cref="Convert(IReadOnlyList{string}, TagScheme, TagScheme)"/>; <paramref name="bareIO"/> writes IO tags as bare types.</summary>
    public static string[] Convert(IReadOnlyList<string> tags, TagScheme from, TagScheme to, bool bareIO) =>
        FromSpans(tags.Count, ToSpans(tags, from), to, bareIO);

    /// <summary>
    /// Guesses the scheme of a corpus: any S- or E- tag means BIOES; no prefixed tag at all (only "O" and bare
    /// types) means IO; otherwise IOB1 when spans start with I- and B- only follows a token of the same type,
    /// IOB2 when every span starts with B-. Malformed mixtures go to whichever of the two explains more span starts.
    /// </summary>
    public static TagScheme Detect(IEnumerable<IReadOnlyList<string>> sentences)
    {
        var detector = new SchemeDetector();
        foreach (var sentence in sentences)
        {
            detector.Add(sentence);
            if (detector.Scheme == TagScheme.BIOES)
                return TagScheme.BIOES;
        }
        return detector.Scheme;
    }

    /// <summary>The entity types used by the tags, in ordinal order.</summary>
    public static string[] EntityTypes(IEnumerable<IReadOnlyList<string>> sentences)
    {
        var types = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var sentence in sentences)
        {
            foreach (var tag in sentence)
            {
                var type = Split(tag).Type;
                if (type.Length > 0)
                    types.Add(type);
            }
        }
        return [.. types];
    }
}

/// <summary><see cref="Tags.Detect"/> fed a sentence at a time, for a corpus read as a stream.</summary>
public sealed class SchemeDetector
{
    private bool _bioes, _prefixed;
    private long _iStarts, _bStarts;

    /// <summary>Counts the spans of one sentence that open with I- and with B-.</summary>
    public void Add(IReadOnlyList<string> sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        if (_bioes) return;
        string previousType = "";
        foreach (var tag in sentence)
        {
            var (prefix, type) = Tags.Split(tag);
            if (prefix is "S" or "E")
            {
                _bioes = true;
                return;
            }
            _prefixed |= Tags.IsPrefixed(tag);
            if (prefix == "I" && type != previousType)
                _iStarts++;
            else if (prefix == "B" && type != previousType)
                _bStarts++;
            previousType = type;
        }
    }

    /// <summary>BIOES once an S- or E- tag is seen; IO without prefixes; else IOB1 when more spans open with I- than with B-, IOB2 otherwise.</summary>
    public TagScheme Scheme => _bioes ? TagScheme.BIOES : !_prefixed ? TagScheme.IO : _iStarts > _bStarts ? TagScheme.IOB1 : TagScheme.IOB2;
}
