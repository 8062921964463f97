using System.Buffers;
using System.Runtime.CompilerServices;

namespace Nerve.Corpus;

/// <summary>
/// How the token lines of a column file are laid out, decided from its first non-blank line as <see cref="CorpusReader"/>
/// does: tabs if that line contains one, else runs of spaces; its column count; the tag column.
/// </summary>
public sealed record ColumnLayout(char Delimiter, int ColumnCount, int TagIndex, CorpusFormat Format, long FirstTokenLine)
{
    /// <summary>Most columns a token line may have.</summary>
    public const int MaxColumns = 64;

    /// <summary>Columns kept per token: all but the tag column.</summary>
    public int Width => TagIndex < 0 ? ColumnCount : ColumnCount - 1;

    /// <summary>The layout of a file whose first non-blank line is <paramref name="line"/> (line <paramref name="lineNo"/>).</summary>
    public static ColumnLayout Detect(string name, long lineNo, ReadOnlySpan<char> line, CorpusFormat format, int? tagColumn, bool requireTags)
    {
        char delimiter = line.Contains('\t') ? '\t' : ' ';
        Span<Range> fields = stackalloc Range[MaxColumns];
        var probe = new ColumnLayout(delimiter, 0, -1, format, lineNo);
        int n = probe.Split(line, fields, name, lineNo);
        var (resolved, tagIndex) = CorpusReader.Resolve(name, lineNo, line, format, n, delimiter, tagColumn, requireTags);
        return new ColumnLayout(delimiter, n, tagIndex, resolved, lineNo);
    }

    /// <summary>Splits a token line into <paramref name="fields"/> (at least <see cref="MaxColumns"/>); an empty field between tabs or too many columns is an error.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Split(ReadOnlySpan<char> line, Span<Range> fields, string name, long lineNo)
    {
        int n = CorpusReader.Split(line, Delimiter, fields);
        if (n < 0)
            throw new NerveDataException(name, lineNo, "a non-empty field between tabs", "an empty field: " + NerveDataException.Quote(line.ToString()));
        if (n > MaxColumns)
            throw new NerveDataException(name, lineNo, $"at most {MaxColumns} columns", $"{n} columns: {NerveDataException.Quote(line.ToString())}");
        return n;
    }

    /// <summary>A token line must have as many columns as the first one.</summary>
    public void CheckCount(int n, ReadOnlySpan<char> line, string name, long lineNo)
    {
        if (n != ColumnCount)
            throw new NerveDataException(name, lineNo, $"{ColumnCount} columns like line {FirstTokenLine}", $"{n} columns: {NerveDataException.Quote(line.ToString())}");
    }
}

/// <summary>A run of whole sentences of a column file: its text (a pooled buffer) and the number of its first line.</summary>
public sealed class ColumnChunk(char[] buffer, int length, long firstLine, int index)
{
    public ReadOnlySpan<char> Text => buffer.AsSpan(0, length);

    /// <summary>1-based line number of the chunk's first line in its file.</summary>
    public long FirstLine { get; } = firstLine;

    /// <summary>Position of the chunk in the file, from 0.</summary>
    public int Index { get; } = index;

    /// <summary>Gives the buffer back to the pool; the chunk is unusable after.</summary>
    public void Release() => ArrayPool<char>.Shared.Return(buffer);
}

/// <summary>
/// Cuts a column file into chunks of about <paramref name="chunkChars"/> characters that end after a blank line, so that
/// no sentence spans two chunks and each can be parsed and tagged on its own. A chunk grows past the size only for a
/// run without blank lines (and a file without "\n" is one chunk). Lines end at \n, \r\n or \r, as in <see cref="CorpusReader"/>;
/// a byte order mark at the start of the text is dropped. With <paramref name="wholeDocuments"/>, a chunk ends only
/// before a <c>-DOCSTART-</c> line (and with <see cref="DocumentSeparator.Blank2"/>, also after a run of two or more blank
/// lines), so that no document spans two chunks (a file without a separator is one chunk).
/// </summary>
public sealed class ColumnChunkReader(TextReader reader, int chunkChars = 1 << 19, bool wholeDocuments = false,
    DocumentSeparator documents = DocumentSeparator.DocStart)
{
    private char[] _carry = [];
    private int _carried;
    private bool _eof, _started;
    private long _line = 1;
    private int _index;

    public bool Next(out ColumnChunk chunk)
    {
        int capacity = Math.Max(chunkChars, 2 * _carried);
        var buffer = ArrayPool<char>.Shared.Rent(capacity);
        _carry.AsSpan(0, _carried).CopyTo(buffer);
        int length = _carried, end;
        while (true)
        {
            while (!_eof && length < buffer.Length)
            {
                int read = reader.Read(buffer, length, buffer.Length - length);
                if (read == 0) _eof = true;
                length += read;
            }
            if (!_started && length > 0)
            {
                _started = true;
                if (buffer[0] == '\uFEFF') // a byte order mark the reader kept (e.g. stdin)
                {
                    buffer.AsSpan(1, length - 1).CopyTo(buffer);
                    length--;
                }
            }
            end = _eof ? length : wholeDocuments ? LastDocumentStart(buffer.AsSpan(0, length), documents) : LastSentenceEnd(buffer.AsSpan(0, length));
            if (end > 0 || _eof) break;
            var grown = ArrayPool<char>.Shared.Rent(2 * buffer.Length); // no blank line yet: one long run
            buffer.AsSpan(0, length).CopyTo(grown);
            ArrayPool<char>.Shared.Return(buffer);
            buffer = grown;
        }
        if (end == 0)
        {
            ArrayPool<char>.Shared.Return(buffer);
            chunk = null!;
            return false;
        }
        _carried = length - end;
        if (_carry.Length < _carried) _carry = new char[Math.Max(_carried, 2 * _carry.Length)];
        buffer.AsSpan(end, _carried).CopyTo(_carry);
        chunk = new ColumnChunk(buffer, end, _line, _index++);
        _line += CountLines(buffer.AsSpan(0, end));
        return true;
    }

    /// <summary>The position after the last "\n" that ends a blank (whitespace-only) line, 0 if none.</summary>
    private static int LastSentenceEnd(ReadOnlySpan<char> text)
    {
        int at = text.Length;
        while (true)
        {
            int nl = text[..at].LastIndexOf('\n');
            if (nl < 0) return 0;
            int stop = nl > 0 && text[nl - 1] == '\r' ? nl - 1 : nl; // the line ends at "\r\n" or "\n"
            int start = text[..stop].LastIndexOfAny('\n', '\r') + 1;
            if (text[start..stop].IsWhiteSpace()) return nl + 1;
            at = start;
            if (at == 0) return 0;
        }
    }

    /// <summary>
    /// The start of the last line (not the first) that starts a document: one whose first field is <c>-DOCSTART-</c>,
    /// or with <see cref="DocumentSeparator.Blank2"/> a non-blank line after two or more blank ones (as in raw text,
    /// <see cref="Text.Tokenizer.DocumentStarts"/>); 0 if none.
    /// </summary>
    private static int LastDocumentStart(ReadOnlySpan<char> text, DocumentSeparator separator)
    {
        int docStart = LastDocStartLine(text);
        return separator == DocumentSeparator.Blank2 && Text.Tokenizer.DocumentStarts(text) is [.., int last] ? Math.Max(docStart, last) : docStart;
    }

    /// <summary>The start of the last line (not the first) whose first field is <c>-DOCSTART-</c>, 0 if none.</summary>
    private static int LastDocStartLine(ReadOnlySpan<char> text)
    {
        int at = text.Length;
        while (true)
        {
            int found = text[..at].LastIndexOf(ColumnLineParser.DocStart);
            if (found <= 0) return 0;
            int start = text[..found].LastIndexOfAny('\n', '\r') + 1;
            int after = found + ColumnLineParser.DocStart.Length;
            bool fieldEnds = after == text.Length || text[after] is ' ' or '\t' or '\n' or '\r';
            if (start > 0 && fieldEnds && text[start..found].IsWhiteSpace()) return start;
            at = found;
        }
    }

    /// <summary>Line ends in the text: every \n, and every \r not followed by \n.</summary>
    private static long CountLines(ReadOnlySpan<char> text)
    {
        long lines = text.Count('\n');
        int cr = text.Count('\r');
        if (cr == 0) return lines;
        for (int i = 0; i < text.Length; i++)
            if (text[i] == '\r' && (i + 1 == text.Length || text[i + 1] != '\n')) lines++;
        return lines;
    }
}

/// <summary>The lines of a text held in memory; a line ends at \n, \r\n or \r, and a last line may lack the end.</summary>
public ref struct TextLines(ReadOnlySpan<char> text)
{
    private readonly ReadOnlySpan<char> _text = text;
    private int _at;

    /// <summary>The next line and the offset of its first character in the text.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Next(out ReadOnlySpan<char> line, out int start)
    {
        start = _at;
        if (_at >= _text.Length)
        {
            line = default;
            return false;
        }
        var rest = _text[_at..];
        int eol = rest.IndexOfAny('\n', '\r');
        if (eol < 0)
        {
            line = rest;
            _at = _text.Length;
            return true;
        }
        line = rest[..eol];
        _at += eol + EndLength(rest, eol);
        return true;
    }

    /// <summary>Characters of the line end at <paramref name="eol"/> (a \n or \r): 2 for \r\n, else 1.</summary>
    internal static int EndLength(ReadOnlySpan<char> text, int eol) => text[eol] == '\r' && eol + 1 < text.Length && text[eol + 1] == '\n' ? 2 : 1;
}
