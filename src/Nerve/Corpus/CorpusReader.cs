using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Nerve.Corpus;

/// <summary>
/// Reads column corpora (CoNLL-2003, PA4, WNUT-17, generic) into sentences, line by line in the grammar of
/// <see cref="ColumnLineParser"/>: one token per line, sentences separated by blank or whitespace-only lines,
/// <c>-DOCSTART-</c> lines counted as documents and ending a sentence, the layout decided by the first token line.
/// </summary>
public static class CorpusReader
{
    public const string DocStart = ColumnLineParser.DocStart;

    public static CorpusFile Read(string path, CorpusFormat format = CorpusFormat.Auto, int? tagColumn = null, bool requireTags = true, Action<string>? repairGlued = null,
        DocumentSeparator documents = DocumentSeparator.DocStart)
    {
        using var reader = OpenText(path);
        try
        {
            return Read(reader, path, format, tagColumn, requireTags, repairGlued, documents);
        }
        catch (DecoderFallbackException)
        {
            throw IO.InputFile.InvalidUtf8(path);
        }
    }

    /// <summary>
    /// Opens a corpus file as UTF-8 text (a byte order mark is skipped); failing to is a clear <see cref="NerveException"/>.
    /// Strict decoding throws <see cref="DecoderFallbackException"/> on invalid bytes (<see cref="IO.InputFile.InvalidUtf8"/>
    /// locates them); lenient decoding escapes them (<see cref="Text.Utf8Escapes"/>), so that a copy can restore them.
    /// </summary>
    public static StreamReader OpenText(string path, bool strictUtf8 = true)
    {
        IO.InputFile.Check(path);
        try
        {
            // The escaping decoder is kept even after a byte order mark (detection would swap in a replacing one);
            // the grammar skips the U+FEFF it then reads.
            return strictUtf8
                ? new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, new FileStreamOptions { BufferSize = 1 << 16 })
                : new StreamReader(path, Text.Utf8Escapes.Encoding, detectEncodingFromByteOrderMarks: false, new FileStreamOptions { BufferSize = 1 << 16 });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NerveException($"{path}: cannot read: {e.Message}", e);
        }
    }

    /// <summary>Reads from <paramref name="reader"/> (e.g. stdin); <paramref name="name"/> stands for the file in errors.</summary>
    /// <remarks>One pass over up to hundreds of thousands of lines: compiled fully optimised at once rather than tiered.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    /// <param name="repairGlued">
    /// When given, a token line one column short whose word ends in a column-2 value of the file (a POS tag glued
    /// to the word, as in CoNLL-2002 Dutch: "BelgiEN B-LOC") is split there, wherever it stands (<see cref="GluedColumns.Scan"/>), and each repair is reported to this callback
    /// as "FILE:LINE: …". Without it such a line is an error.
    /// </param>
    /// <param name="documents">What starts a document besides the file's start (<see cref="Sentence.Document"/>).</param>
    public static CorpusFile Read(TextReader reader, string name, CorpusFormat format = CorpusFormat.Auto, int? tagColumn = null, bool requireTags = true, Action<string>? repairGlued = null,
        DocumentSeparator documents = DocumentSeparator.DocStart)
    {
        var stream = new CorpusStream(reader, name, format, tagColumn, requireTags, repairGlued, documents: documents);
        var sentences = new List<Sentence>();
        while (stream.Next(out var sentence))
            sentences.Add(sentence);
        return stream.ToFile(sentences);
    }

    /// <summary>
    /// The sentences of a column file one at a time, in the grammar and with the errors of <see cref="Read(TextReader, string, CorpusFormat, int?, bool, Action{string}?)"/>
    /// (which collects them): what a caller keeps is its own, so a stream of any length is read in bounded memory.
    /// </summary>
    /// <param name="poolLimit">Distinct strings kept for sharing between sentences; the pool starts over past it.</param>
    public sealed class CorpusStream
    {
        private readonly string _name;
        private readonly CorpusFormat _format;
        private readonly int _poolLimit;
        private readonly GluedColumns? _glued;
        private readonly ColumnLineParser _parser;
        private readonly LineBuffer _lines;
        private readonly List<string> _words = [], _tags = [];
        private readonly List<string> _cells = []; // the sentence's columns, row by row
        // Words, tags and the other columns repeat a lot (Zipf): one string per distinct value, so a large file
        // allocates per sentence, not per token.
        private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal);
        private int _width = 1;
        private long _lineNo;
        private bool _done;
        private DocumentCounter _documents;

        public CorpusStream(TextReader reader, string name, CorpusFormat format = CorpusFormat.Auto, int? tagColumn = null, bool requireTags = true, Action<string>? repairGlued = null, int poolLimit = int.MaxValue,
            DocumentSeparator documents = DocumentSeparator.DocStart)
        {
            _name = name;
            _documents = new DocumentCounter(documents);
            _format = format;
            _poolLimit = poolLimit;
            _glued = repairGlued is null ? null : new GluedColumns(repairGlued);
            if (_glued is not null)
            {
                // The repair reads the file twice (GluedColumns.Scan): the text is held in memory for the second pass.
                var text = reader.ReadToEnd();
                _glued.Scan(text);
                reader = new StringReader(text);
            }
            _parser = new ColumnLineParser(name, format, tagColumn, requireTags, _glued);
            _lines = new LineBuffer(reader);
        }

        /// <summary>The name errors give the input.</summary>
        public string Name => _name;

        /// <summary>
        /// Document separators read so far: -DOCSTART- lines, and with <see cref="DocumentSeparator.Blank2"/> each run of
        /// two or more blank lines between sentences that holds no -DOCSTART- line.
        /// </summary>
        public int Documents => _documents.Documents;

        /// <summary>Tokens read so far, -DOCSTART- lines excluded.</summary>
        public int Tokens { get; private set; }

        /// <summary>The layout decided by the first token line; null before it.</summary>
        public ColumnLayout? Layout => _parser.Layout;

        /// <summary>The next sentence; false at the end of the input.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool Next([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Sentence? sentence)
        {
            sentence = null;
            if (_done) return false;
            if (_pool.Count > _poolLimit) _pool.Clear();
            var poolLookup = _pool.GetAlternateLookup<ReadOnlySpan<char>>();
            Span<Range> fields = stackalloc Range[ColumnLayout.MaxColumns];
            long sentenceStart = 0;
            // Lines as spans of one reused buffer: no per-line allocation, and no copy of the whole input.
            while (_lines.Next(out var span))
            {
                _lineNo++;
                var kind = _parser.Parse(ref span, _lineNo, fields, out int n);
                if (kind != ColumnLineKind.Token)
                {
                    _documents.Separator(kind);
                    if (_words.Count > 0)
                    {
                        sentence = EndSentence(sentenceStart);
                        return true;
                    }
                    continue;
                }
                var layout = _parser.Layout!;
                _width = layout.Width;
                if (_words.Count == 0)
                    sentenceStart = _lineNo;
                _documents.Token();
                int tagIndex = layout.TagIndex;
                for (var i = 0; i < n; i++)
                    if (i != tagIndex)
                        _cells.Add(Intern(poolLookup, _pool, span[fields[i]]));
                var word = _cells[^_width];
                if (n > 2) _glued?.Seen(_cells[_cells.Count - _width + 1]); // only the glued-tag repair reads it
                _words.Add(word);
                if (tagIndex >= 0 && Tags.IsMalformed(span[fields[tagIndex]]))
                    throw new NerveDataException(_name, _lineNo, "a tag O, B-TYPE, I-TYPE, E-TYPE, S-TYPE or a bare TYPE", NerveDataException.Quote(span[fields[tagIndex]].ToString()));
                _tags.Add(tagIndex < 0 ? "O" : Intern(poolLookup, _pool, span[fields[tagIndex]]));
                Tokens++;
            }
            _done = true;
            if (_words.Count == 0) return false;
            sentence = EndSentence(sentenceStart);
            return true;
        }

        private Sentence EndSentence(long sentenceStart)
        {
            string[] w = [.. _words];
            var sentence = new Sentence(w, [.. _tags], _width == 1 ? w : [.. _cells], _width, sentenceStart) { Document = Documents };
            _words.Clear();
            _tags.Clear();
            _cells.Clear();
            return sentence;
        }

        /// <summary>The file of <paramref name="sentences"/> (those read, or some of them), with the layout learnt.</summary>
        public CorpusFile ToFile(IReadOnlyList<Sentence> sentences)
        {
            var found = _parser.Layout;
            var resolved = found?.Format ?? _format;
            if (resolved == CorpusFormat.Auto)
                resolved = CorpusFormat.Columns;
            return new CorpusFile(_name, sentences, resolved, found?.Delimiter ?? '\t', found?.ColumnCount ?? 0, (found?.TagIndex ?? -1) + 1, Documents, Tokens);
        }
    }

    /// <summary>
    /// The lines of a reader, read in blocks into one buffer (grown only for a line longer than it). Lines end at \n, \r\n
    /// or \r, as with ReadLine; a line's span is valid until the next call.
    /// </summary>
    private sealed class LineBuffer(TextReader reader)
    {
        private char[] _buffer = new char[1 << 16];
        private int _start, _end;
        private bool _eof;

        public bool Next(out ReadOnlySpan<char> line)
        {
            while (true)
            {
                var pending = _buffer.AsSpan(_start, _end - _start);
                var eol = pending.IndexOfAny('\n', '\r');
                if (eol >= 0 && !(pending[eol] == '\r' && eol + 1 == pending.Length && !_eof)) // a final \r may begin \r\n
                {
                    line = pending[..eol];
                    _start += eol + TextLines.EndLength(pending, eol);
                    return true;
                }
                if (_eof)
                {
                    line = pending;
                    _start = _end;
                    return !pending.IsEmpty;
                }
                Fill();
            }
        }

        private void Fill()
        {
            int kept = _end - _start;
            if (kept == _buffer.Length)
                Array.Resize(ref _buffer, 2 * _buffer.Length);
            else if (_start > 0)
                Array.Copy(_buffer, _start, _buffer, 0, kept);
            _start = 0;
            _end = kept;
            int read = reader.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0) _eof = true;
            _end += read;
        }
    }

    private static string Intern(Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> lookup, Dictionary<string, string> pool, ReadOnlySpan<char> s)
    {
        if (lookup.TryGetValue(s, out var v))
            return v;
        var str = s.ToString();
        pool[str] = str;
        return str;
    }

    /// <summary>Decides the format and the 0-based tag column (-1 for words only) from the first token line.</summary>
    internal static (CorpusFormat Format, int TagIndex) Resolve(string name, long lineNo, ReadOnlySpan<char> line, CorpusFormat format, int n, char delimiter, int? tagColumn, bool requireTags)
    {
        var quoted = NerveDataException.Quote(line.ToString());
        var found = $"{n} column{(n == 1 ? "" : "s")}: {quoted}";
        switch (format)
        {
            case CorpusFormat.Conll when n != 4:
                throw new NerveDataException(name, lineNo, "4 columns (word POS chunk NER) for CoNLL-2003", found);
            case CorpusFormat.Pa4 when n != 2 || delimiter != '\t':
                throw new NerveDataException(name, lineNo, "2 tab-separated columns (word TAB label) for PA4", n == 2 ? "space-separated columns: " + quoted : found);
        }
        if (n == 1)
        {
            if (requireTags)
                throw new NerveDataException(name, lineNo, "at least 2 columns (word and tag)", found);
            if (tagColumn is not null)
                throw new NerveDataException(name, lineNo, $"at least {tagColumn.Value.ToString(CultureInfo.InvariantCulture)} columns for tag column {tagColumn.Value.ToString(CultureInfo.InvariantCulture)}", found);
            return (format == CorpusFormat.Auto ? CorpusFormat.Columns : format, -1);
        }
        var tag = n - 1;
        if (tagColumn is { } c)
        {
            if (c < 2 || c > n)
                throw new NerveDataException(name, lineNo, $"a tag column between 2 and {n.ToString(CultureInfo.InvariantCulture)} (column 1 is the word)", $"tag column {c.ToString(CultureInfo.InvariantCulture)} and {found}");
            tag = c - 1;
        }
        var resolved = format != CorpusFormat.Auto ? format
            : n == 2 ? CorpusFormat.Pa4
            : n == 4 && delimiter == ' ' ? CorpusFormat.Conll
            : CorpusFormat.Columns;
        return (resolved, tag);
    }

    /// <summary>
    /// Splits a token line into field ranges: on every tab when <paramref name="delimiter"/> is a tab (-1 if a field is empty),
    /// otherwise on runs of spaces and tabs. Returns the number of fields, which may exceed <paramref name="fields"/>' length.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int Split(ReadOnlySpan<char> line, char delimiter, Span<Range> fields)
    {
        var n = 0;
        if (delimiter == '\t')
        {
            // Surrounding spaces are not part of a field (e.g. a trailing space after the tag).
            var start = 0;
            while (true)
            {
                var rest = line[start..];
                var tab = rest.IndexOf('\t');
                var end = tab < 0 ? line.Length : start + tab;
                var field = line[start..end];
                var trimmedStart = start + (field.Length - field.TrimStart(' ').Length);
                var trimmedEnd = trimmedStart + field.Trim(' ').Length;
                if (trimmedEnd == trimmedStart)
                    return -1;
                if (n < fields.Length)
                    fields[n] = trimmedStart..trimmedEnd;
                n++;
                if (tab < 0)
                    return n;
                start = end + 1;
            }
        }
        var i = 0;
        while (true)
        {
            while (i < line.Length && (line[i] == ' ' || line[i] == '\t'))
                i++;
            if (i == line.Length)
                return n;
            var s = i;
            while (i < line.Length && line[i] != ' ' && line[i] != '\t')
                i++;
            if (n < fields.Length)
                fields[n] = s..i;
            n++;
        }
    }
}
