using System.Runtime.CompilerServices;

namespace Nerve.Corpus;

/// <summary>What a line of a column file is: a sentence boundary, a -DOCSTART- line, or a token.</summary>
public enum ColumnLineKind
{
    /// <summary>An empty or whitespace-only line: it ends the sentence.</summary>
    Boundary,
    /// <summary>A token line whose first field is <c>-DOCSTART-</c>: counted as a document, it ends the sentence.</summary>
    DocStart,
    Token,
}

/// <summary>
/// The line grammar of column files, the one <see cref="CorpusReader"/> and <see cref="Tagging.ColumnTagger"/> both read:
/// lines end at \n, \r\n or \r (<see cref="TextLines"/>); a byte order mark before the first line is dropped; blank or
/// whitespace-only lines end a sentence; the layout (delimiter, columns, tag column) is decided by the first token line
/// (<see cref="ColumnLayout.Detect"/>) and every later token line must match it; a <c>-DOCSTART-</c> first field marks a
/// document. One parser per file (or per worker, sharing a layout); not thread-safe.
/// </summary>
public sealed class ColumnLineParser
{
    public const string DocStart = "-DOCSTART-";
    public const char ByteOrderMark = '\uFEFF';

    private readonly string _name;
    private readonly CorpusFormat _format;
    private readonly int? _tagColumn;
    private readonly bool _requireTags;
    private readonly GluedColumns? _glued;

    /// <summary>A parser that detects the layout from the first token line of <paramref name="name"/>.</summary>
    /// <param name="glued">Repairs POS tags glued to the word (CoNLL-2002 Dutch); null makes such a line an error.</param>
    public ColumnLineParser(string name, CorpusFormat format = CorpusFormat.Auto, int? tagColumn = null, bool requireTags = true, GluedColumns? glued = null)
    {
        _name = name;
        _format = format;
        _tagColumn = tagColumn;
        _requireTags = requireTags;
        _glued = glued;
    }

    /// <summary>A parser of a file whose layout is already known (a later chunk of it).</summary>
    public ColumnLineParser(string name, ColumnLayout layout)
        : this(name, layout.Format) => Layout = layout;

    /// <summary>The file's layout, null until the first token line.</summary>
    public ColumnLayout? Layout { get; private set; }

    /// <summary>The text without a leading byte order mark.</summary>
    public static ReadOnlySpan<char> SkipByteOrderMark(ReadOnlySpan<char> text) => text.Length > 0 && text[0] == ByteOrderMark ? text[1..] : text;

    /// <summary>
    /// Parses line <paramref name="lineNo"/> (1-based): a boundary, or its fields (at least <see cref="ColumnLayout.MaxColumns"/>
    /// ranges, <paramref name="count"/> of them) checked against the layout. A glued-column repair replaces
    /// <paramref name="line"/>. A bad line is a <see cref="NerveDataException"/> naming the file and line.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ColumnLineKind Parse(ref ReadOnlySpan<char> line, long lineNo, scoped Span<Range> fields, out int count)
    {
        count = 0;
        if (lineNo == 1) line = SkipByteOrderMark(line);
        if (line.IsWhiteSpace()) return ColumnLineKind.Boundary;
        if (Layout is null && _glued is not null) _glued.RepairFirst(ref line, fields, _name, lineNo);
        var layout = Layout ??= ColumnLayout.Detect(_name, lineNo, line, _format, _tagColumn, _requireTags);
        int n = layout.Split(line, fields, _name, lineNo);
        if (_glued is not null && n == layout.ColumnCount - 1 && layout.ColumnCount >= 3 && _glued.TryRepair(ref line, fields, n, layout.Delimiter, _name, lineNo))
            n = layout.Split(line, fields, _name, lineNo);
        layout.CheckCount(n, line, _name, lineNo);
        count = n;
        return line[fields[0]].SequenceEqual(DocStart) ? ColumnLineKind.DocStart : ColumnLineKind.Token;
    }
}

/// <summary>
/// The glued-tag repair: a token line one column short whose word ends in a column-2 value of the file (a POS tag glued
/// to the word, as in CoNLL-2002 Dutch: "BelgiEN B-LOC") is split there, and each repair is reported as "FILE:LINE: …".
/// <see cref="Scan"/>, a first pass over the whole text, learns the file's usual column count and its column-2 values, so
/// that a glued line is repaired wherever it stands, the first token line included; without it only values already
/// <see cref="Seen"/> are candidates.
/// </summary>
public sealed class GluedColumns(Action<string> report)
{
    private readonly HashSet<string> _secondColumn = new(StringComparer.Ordinal);

    /// <summary>The column count of most token lines, from <see cref="Scan"/>; 0 before it or when under 3.</summary>
    public int Width { get; private set; }

    /// <summary>Remembers a token's column-2 value, the candidates for later repairs.</summary>
    public void Seen(string secondColumn) => _secondColumn.Add(secondColumn);

    /// <summary>
    /// The first pass: the most frequent column count of the token lines of <paramref name="text"/> (-DOCSTART- lines
    /// aside) becomes <see cref="Width"/>, and the column-2 values of the lines that have it become candidates.
    /// </summary>
    public void Scan(ReadOnlySpan<char> text)
    {
        var counts = new Dictionary<int, int>();
        var second = new Dictionary<int, HashSet<string>>();
        Span<Range> fields = stackalloc Range[ColumnLayout.MaxColumns];
        foreach (var raw in ColumnLineParser.SkipByteOrderMark(text).EnumerateLines())
        {
            if (raw.IsWhiteSpace()) continue;
            int n = CorpusReader.Split(raw, raw.Contains('\t') ? '\t' : ' ', fields);
            if (n < 1 || n > fields.Length || raw[fields[0]].SequenceEqual(ColumnLineParser.DocStart)) continue;
            counts[n] = counts.GetValueOrDefault(n) + 1;
            if (n < 3) continue;
            if (!second.TryGetValue(n, out var values)) second[n] = values = new HashSet<string>(StringComparer.Ordinal);
            if (values.Count < MaxValues) values.Add(raw[fields[1]].ToString());
        }
        if (counts.Count == 0) return;
        int width = counts.OrderByDescending(kv => kv.Value).ThenByDescending(kv => kv.Key).First().Key;
        if (width < 3) return;
        Width = width;
        _secondColumn.UnionWith(second[width]);
    }

    /// <summary>Column-2 values kept per column count by <see cref="Scan"/>: a POS inventory, not a vocabulary.</summary>
    private const int MaxValues = 4096;

    /// <summary>Before the layout is known: repairs the first token line if it is one column short of <see cref="Width"/>.</summary>
    internal void RepairFirst(ref ReadOnlySpan<char> line, scoped Span<Range> fields, string name, long lineNo)
    {
        if (Width < 3) return;
        char delimiter = line.Contains('\t') ? '\t' : ' ';
        int n = CorpusReader.Split(line, delimiter, fields);
        if (n == Width - 1 && !line[fields[0]].SequenceEqual(ColumnLineParser.DocStart))
            TryRepair(ref line, fields, n, delimiter, name, lineNo);
    }

    /// <summary>Splits the first field as word + the longest known column-2 value it ends with (keeping a non-empty word).</summary>
    internal bool TryRepair(ref ReadOnlySpan<char> line, scoped ReadOnlySpan<Range> fields, int n, char delimiter, string name, long lineNo)
    {
        var first = line[fields[0]];
        string best = "";
        foreach (var tag in _secondColumn)
            if (tag.Length > best.Length && tag.Length < first.Length && first.EndsWith(tag, StringComparison.Ordinal)) best = tag;
        if (best.Length == 0) return false;
        string repaired = string.Concat(first[..^best.Length], delimiter.ToString(), best, line[fields[0].End..]);
        report($"{name}:{lineNo}: split glued column {NerveDataException.Quote(first.ToString())} into {NerveDataException.Quote(repaired[..repaired.IndexOf(delimiter)])} and its POS tag");
        line = repaired.AsSpan();
        return true;
    }
}

/// <summary>
/// The output of tagging in columns, built in one reusable buffer: per token its columns, then the predicted tag, one
/// delimiter apart, and "\n"; a blank line after each sentence. <see cref="CorpusWriter"/> and
/// <see cref="Tagging.ColumnTagger"/> both write through it.
/// </summary>
public sealed class ColumnWriter(char delimiter)
{
    private char[] _text = new char[1 << 16];
    private int _length;
    private bool _inRow;

    public char Delimiter { get; set; } = delimiter;

    /// <summary>What was written since the last <see cref="Clear"/>.</summary>
    public ReadOnlySpan<char> Text => _text.AsSpan(0, _length);

    public int Length => _length;

    public void Clear()
    {
        _length = 0;
        _inRow = false;
    }

    /// <summary>The next column of the token (or several already joined by the delimiter).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Column(ReadOnlySpan<char> value)
    {
        Reserve(value.Length + 1);
        if (_inRow) _text[_length++] = Delimiter;
        value.CopyTo(_text.AsSpan(_length));
        _length += value.Length;
        _inRow = true;
    }

    /// <summary>Ends the token's line with the predicted tag.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void EndToken(ReadOnlySpan<char> predicted)
    {
        Reserve(predicted.Length + 2);
        _text[_length++] = Delimiter;
        predicted.CopyTo(_text.AsSpan(_length));
        _length += predicted.Length;
        _text[_length++] = '\n';
        _inRow = false;
    }

    /// <summary>The blank line after a sentence.</summary>
    public void EndSentence()
    {
        Reserve(1);
        _text[_length++] = '\n';
    }

    /// <summary>Writes the text out and clears it.</summary>
    public void FlushTo(TextWriter writer)
    {
        writer.Write(_text, 0, _length);
        Clear();
    }

    private void Reserve(int more)
    {
        if (_length + more > _text.Length) Array.Resize(ref _text, Math.Max(_length + more, 2 * _text.Length));
    }
}
