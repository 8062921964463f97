using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;

namespace Nerve.Vectors;

/// <summary>
/// Pretrained word vectors, row-major in one array. Loads word2vec/fastText text files ("COUNT DIM" header),
/// GloVe text files (no header), either plain or gzip-compressed, and the PA4 pair wordVectors.txt + vocab.txt.
/// Duplicate words keep their first vector; <see cref="Duplicates"/> counts the dropped rows.
/// </summary>
public sealed class WordVectors
{
    private readonly Dictionary<string, int> _index;

    public WordVectors(string[] words, float[] data, int dim)
        : this(words, data, dim, BuildIndex(words) ?? throw new ArgumentException("duplicate words", nameof(words)), 0)
    {
    }

    private WordVectors(string[] words, float[] data, int dim, Dictionary<string, int> index, int duplicates, long firstDuplicateLine = 0)
    {
        FirstDuplicateLine = firstDuplicateLine;
        if (dim <= 0 || (long)words.Length * dim != data.Length)
            throw new ArgumentException($"{words.Length} words × {dim} dimensions ≠ {data.Length} values", nameof(data));
        Words = words;
        Data = data;
        Dim = dim;
        Duplicates = duplicates;
        _index = index;
    }

    /// <summary>Word → row, or null if a word repeats.</summary>
    private static Dictionary<string, int>? BuildIndex(string[] words)
    {
        var index = new Dictionary<string, int>(words.Length, StringComparer.Ordinal);
        for (var i = 0; i < words.Length; i++)
        {
            if (!index.TryAdd(words[i], i))
                return null;
        }
        return index;
    }

    public string[] Words { get; }
    /// <summary>Count × Dim values, row i at [i * Dim, (i + 1) * Dim).</summary>
    public float[] Data { get; }
    public int Dim { get; }
    public int Count => Words.Length;
    /// <summary>Rows dropped because their word had appeared before.</summary>
    public int Duplicates { get; }
    /// <summary>The line of the first dropped row (1-based), 0 when none was dropped.</summary>
    public long FirstDuplicateLine { get; }

    public ReadOnlySpan<float> this[int row] => Data.AsSpan(row * Dim, Dim);

    /// <summary>Row of <paramref name="word"/> (exact, ordinal), -1 if absent.</summary>
    public int IndexOf(string word) => _index.TryGetValue(word, out var i) ? i : -1;

    /// <summary>
    /// Loads <paramref name="path"/>. Without <paramref name="vocabPath"/> it is a word2vec/fastText or GloVe text file;
    /// with it, <paramref name="path"/> holds one bare vector per line (PA4 wordVectors.txt) for the words of the vocabulary file.
    /// </summary>
    public static WordVectors Load(string path, string? vocabPath = null)
    {
        var bytes = ReadMaybeGzip(path, out var length);
        if (vocabPath is null)
            return ParseText(path, bytes, TrimEndLength(bytes, length));
        var vocabBytes = ReadMaybeGzip(vocabPath, out var vocabLength);
        return ParsePair(path, bytes, TrimEndLength(bytes, length), vocabPath, vocabBytes, vocabLength);
    }

    /// <summary>
    /// Reads a file, inflating it when it starts with the gzip magic bytes 1f 8b; a file of several gzip members (RFC 1952
    /// §2.2, as <c>cat a.gz b.gz</c> makes) inflates to their concatenation. Nothing is sized from the gzip trailer; it is
    /// checked instead. The inflater checks the CRC-32 and ISIZE of every member whose trailer it reaches, and a stream cut
    /// short simply ends, so what is left to check is that the file ends with a whole member: its last 8 bytes must be
    /// the trailer (CRC-32, ISIZE; §2.3.1) of the last ISIZE bytes inflated. A file cut short is "truncated gzip", even
    /// at a flush point where the deflate stream itself looks complete.
    /// </summary>
    internal static byte[] ReadMaybeGzip(string path, out int length)
    {
        IO.InputFile.Check(path);
        byte[] raw;
        try
        {
            raw = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NerveException($"{path}: cannot read: {e.Message}", e);
        }
        if (raw.Length < 2 || raw[0] != 0x1f || raw[1] != 0x8b)
        {
            length = raw.Length;
            return raw;
        }
        if (raw.Length < 18)
            throw new NerveDataException(path, 0, "a gzip file of at least 18 bytes (header and trailer)", $"truncated gzip: {raw.Length} bytes");
        var buffer = new byte[(int)Math.Min(Math.Max(4L * raw.Length, 1 << 16), Array.MaxLength)];
        length = 0;
        try
        {
            using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            int read;
            while ((read = gz.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += read;
                if (length == buffer.Length)
                {
                    if (buffer.Length == Array.MaxLength)
                        throw new NerveDataException(path, 0, $"at most {Array.MaxLength} bytes uncompressed", "more");
                    Array.Resize(ref buffer, (int)Math.Min(2L * buffer.Length, Array.MaxLength));
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new NerveDataException(path, 0, "valid gzip data", $"truncated gzip or a corrupt stream after {length} bytes ({e.Message})");
        }
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(raw.Length - 8));
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(raw.Length - 4)); // the last member's length (length < 2^31, so exact)
        if (size > (uint)length || Crc32(buffer.AsSpan(length - (int)size, (int)size)) != crc)
            throw new NerveDataException(path, 0, "a gzip file ending with a whole member (its CRC-32 and length)", $"truncated gzip: {length} bytes inflated");
        return buffer;
    }

    private static readonly uint[] CrcTable = MakeCrcTable();

    private static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>CRC-32 of gzip (RFC 1952 §8: reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF).</summary>
    internal static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in data) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }

    private readonly record struct Chunk(int Start, int End, long FirstLine, int FirstRow);

    /// <summary>Number of lines in <paramref name="data"/>, a final newline not starting another.</summary>
    private static int CountLines(ReadOnlySpan<byte> data) => data.Length == 0 ? 0 : data.Count((byte)'\n') + (data[^1] == '\n' ? 0 : 1);

    private static WordVectors ParseText(string path, byte[] bytes, int length)
    {
        ReadOnlySpan<byte> data = bytes.AsSpan(0, length);
        var pos = 0;
        if (data.StartsWith("\uFEFF"u8))
            pos = 3;
        var firstEnd = data[pos..].IndexOf((byte)'\n');
        var first = firstEnd < 0 ? data[pos..] : data.Slice(pos, firstEnd);
        first = TrimEnd(first);
        if (first.IsEmpty)
            throw new NerveDataException(path, 1, "a header \"COUNT DIM\" or a word followed by its vector", "an empty line");

        int dim, declared = -1;
        long firstLine = 1;
        var fields = CountFields(first);
        if (fields == 2 && TryParseInt(first, out var count, out var headerDim))
        {
            if (count < 0 || headerDim <= 0)
                throw new NerveDataException(path, 1, "a header \"COUNT DIM\" with DIM > 0", Quote(first));
            declared = count;
            dim = headerDim;
            pos += firstEnd < 0 ? data.Length - pos : firstEnd + 1;
            firstLine = 2;
        }
        else
        {
            dim = fields - 1;
            if (dim <= 0)
                throw new NerveDataException(path, 1, "a word followed by its vector", Quote(first));
        }

        var body = data[pos..];
        var rows = CountLines(body);
        if (declared >= 0 && rows != declared)
            throw new NerveDataException(path, 1, $"{declared} vectors as the header says", $"{rows} vector lines");
        CheckSize(path, rows, dim);
        var words = new string[rows];
        var values = new float[(long)rows * dim];
        Run(bytes, pos, length, firstLine, rows, chunk => ParseChunk(path, bytes, chunk, dim, words, values));
        return Deduplicate(words, values, dim, firstLine);
    }

    private static WordVectors ParsePair(string path, byte[] bytes, int length, string vocabPath, byte[] vocabBytes, int vocabLength)
    {
        var vocab = Encoding.UTF8.GetString(vocabBytes, 0, vocabLength).TrimStart('\uFEFF');
        var words = vocab.Split('\n');
        var wordCount = words.Length > 0 && words[^1].Length == 0 ? words.Length - 1 : words.Length;
        Array.Resize(ref words, wordCount);
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = words[i].Trim();
            if (words[i].Length == 0)
                throw new NerveDataException(vocabPath, i + 1, "one word per line", "a blank line");
        }

        ReadOnlySpan<byte> data = bytes.AsSpan(0, length);
        var pos = data.StartsWith("\uFEFF"u8) ? 3 : 0;
        var rows = CountLines(data[pos..]);
        if (rows != words.Length)
            throw new NerveDataException(path, 0, $"{words.Length} vectors, one per word of {vocabPath}", $"{rows} lines");
        if (rows == 0)
            throw new NerveDataException(path, 0, "at least one vector", "an empty file");
        var firstEnd = data[pos..].IndexOf((byte)'\n');
        var dim = CountFields(TrimEnd(firstEnd < 0 ? data[pos..] : data.Slice(pos, firstEnd)));
        if (dim == 0)
            throw new NerveDataException(path, 1, "a vector", "an empty line");
        CheckSize(path, rows, dim);
        var values = new float[(long)rows * dim];
        Run(bytes, pos, length, 1, rows, chunk => ParseChunk(path, bytes, chunk, dim, null, values));
        return Deduplicate(words, values, dim, 1);
    }

    /// <summary>Splits buffer[start..end) into line-aligned chunks and parses them in parallel; throws the earliest error.</summary>
    private static void Run(byte[] bytes, int start, int end, long firstLine, int rows, Func<Chunk, NerveDataException?> parse)
    {
        // About 1 MB per chunk, at most 4 per core, so cores stay busy while chunks stay cheap to schedule.
        var parts = Math.Max(1, Math.Min(Environment.ProcessorCount * 4, (end - start) >> 20));
        var bounds = new List<int> { start };
        for (var p = 1; p < parts; p++)
        {
            var target = start + (int)((long)(end - start) * p / parts);
            if (target <= bounds[^1])
                continue;
            var nl = bytes.AsSpan(target, end - target).IndexOf((byte)'\n');
            if (nl < 0 || target + nl + 1 >= end)
                break;
            bounds.Add(target + nl + 1);
        }
        bounds.Add(end);

        var chunks = new Chunk[bounds.Count - 1];
        var row = 0;
        var line = firstLine;
        for (var c = 0; c < chunks.Length; c++)
        {
            chunks[c] = new Chunk(bounds[c], bounds[c + 1], line, row);
            var n = CountLines(bytes.AsSpan(bounds[c], bounds[c + 1] - bounds[c]));
            row += n;
            line += n;
        }
        if (row != rows)
            throw new InvalidOperationException($"chunking found {row} lines, expected {rows}");
        var errors = new NerveDataException?[chunks.Length];
        Parallel.For(0, chunks.Length, c => errors[c] = parse(chunks[c]));
        foreach (var e in errors)
        {
            if (e is not null)
                throw e;
        }
    }

    /// <summary>Parses the lines of one chunk into rows; returns the first error instead of throwing across threads.</summary>
    // Runs once per load over millions of numbers: compile fully optimised right away instead of tiering up.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static NerveDataException? ParseChunk(string path, byte[] bytes, Chunk chunk, int dim, string[]? words, float[] values)
    {
        var pos = chunk.Start;
        var row = chunk.FirstRow;
        var line = chunk.FirstLine;
        while (pos < chunk.End)
        {
            var nl = bytes.AsSpan(pos, chunk.End - pos).IndexOf((byte)'\n');
            var lineEnd = nl < 0 ? chunk.End : pos + nl;
            var text = TrimEnd(bytes.AsSpan(pos, lineEnd - pos));
            var i = 0;
            if (words is not null)
            {
                var sp = text.IndexOfAny((byte)' ', (byte)'\t');
                if (sp <= 0)
                {
                    return new NerveDataException(path, line, $"a word and {Numbers(dim)} separated by spaces", text.IsEmpty ? "an empty line" : Quote(text));
                }
                if (!System.Text.Unicode.Utf8.IsValid(text[..sp]))
                    return new NerveDataException(path, line, "a word in UTF-8", $"invalid UTF-8 at byte offset {pos + InvalidUtf8Offset(text[..sp])}");
                words[row] = Encoding.UTF8.GetString(text[..sp]);
                i = sp + 1;
            }
            var output = values.AsSpan(row * dim, dim);
            var k = 0;
            while (true)
            {
                while (i < text.Length && (text[i] == ' ' || text[i] == '\t'))
                    i++;
                if (i == text.Length)
                    break;
                var s = i;
                while (i < text.Length && text[i] != ' ' && text[i] != '\t')
                    i++;
                if (k == dim)
                {
                    return new NerveDataException(path, line, Numbers(dim), $"more: {CountFields(text) - (words is null ? 0 : 1)} in {Quote(text)}");
                }
                if (!FloatParser.TryParse(text[s..i], out output[k]))
                {
                    return new NerveDataException(path, line, "a number", Quote(text[s..i]) + " in field " + (k + 1).ToString(CultureInfo.InvariantCulture));
                }
                k++;
            }
            if (k != dim)
            {
                return new NerveDataException(path, line, Numbers(dim), $"{k}: {Quote(text)}");
            }
            row++;
            line++;
            pos = lineEnd + 1;
        }
        return null;
    }

    /// <summary>Keeps the first row of each word, compacting the array only if duplicates exist.</summary>
    private static WordVectors Deduplicate(string[] words, float[] values, int dim, long firstLine)
    {
        var index = BuildIndex(words);
        if (index is not null)
            return new WordVectors(words, values, dim, index, 0);
        index = new Dictionary<string, int>(words.Length, StringComparer.Ordinal);
        var kept = new List<string>(words.Length);
        long firstDuplicate = 0;
        var newValues = new float[(long)words.Length * dim];
        for (var i = 0; i < words.Length; i++)
        {
            if (!index.TryAdd(words[i], kept.Count))
            {
                if (firstDuplicate == 0) firstDuplicate = firstLine + i;
                continue;
            }
            values.AsSpan(i * dim, dim).CopyTo(newValues.AsSpan(kept.Count * dim, dim));
            kept.Add(words[i]);
        }
        Array.Resize(ref newValues, kept.Count * dim);
        return new WordVectors([.. kept], newValues, dim, index, words.Length - kept.Count, firstDuplicate);
    }

    /// <summary>Refuses a table whose size does not fit one array, before allocating it.</summary>
    private static void CheckSize(string path, int rows, int dim)
    {
        if ((long)rows * dim > Array.MaxLength)
            throw new NerveDataException(path, 1, $"at most {Array.MaxLength} values in all", $"{rows} vectors × {dim} dimensions");
    }

    /// <summary>The offset of the first byte of an invalid UTF-8 sequence in <paramref name="s"/>.</summary>
    internal static int InvalidUtf8Offset(ReadOnlySpan<byte> s)
    {
        var chars = new char[s.Length];
        System.Text.Unicode.Utf8.ToUtf16(s, chars, out int read, out _, replaceInvalidSequences: false);
        return read;
    }

    /// <summary>Length without trailing blank lines and spaces, so a file may end with any of them.</summary>
    private static int TrimEndLength(byte[] bytes, int length)
    {
        while (length > 0 && bytes[length - 1] is (byte)'\n' or (byte)'\r' or (byte)' ' or (byte)'\t')
            length--;
        return length;
    }

    private static ReadOnlySpan<byte> TrimEnd(ReadOnlySpan<byte> s)
    {
        var e = s.Length;
        while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\r' || s[e - 1] == '\t'))
            e--;
        return s[..e];
    }

    private static int CountFields(ReadOnlySpan<byte> s)
    {
        var n = 0;
        var inField = false;
        foreach (var b in s)
        {
            var sep = b == ' ' || b == '\t';
            if (!sep && !inField)
                n++;
            inField = !sep;
        }
        return n;
    }

    private static bool TryParseInt(ReadOnlySpan<byte> s, out int a, out int b)
    {
        a = b = 0;
        var sp = s.IndexOfAny((byte)' ', (byte)'\t');
        return sp > 0
            && int.TryParse(s[..sp], NumberStyles.None, CultureInfo.InvariantCulture, out a)
            && int.TryParse(s[(sp + 1)..].TrimStart(" \t"u8), NumberStyles.None, CultureInfo.InvariantCulture, out b);
    }

    private static string Numbers(int n) => n == 1 ? "1 number" : n.ToString(CultureInfo.InvariantCulture) + " numbers";

    private static string Quote(ReadOnlySpan<byte> s) => NerveDataException.Quote(Encoding.UTF8.GetString(s[..Math.Min(s.Length, 240)]));
}
