namespace Nerve.Jobs;

/// <summary>Where a job reports what it did; the library writes nothing to the console itself.</summary>
public interface IJobLog
{
    /// <summary>A line of the job's account (what was read, what was built).</summary>
    void Info(string line);

    /// <summary>Something the user should know that is not a problem.</summary>
    void Note(string message);

    /// <summary>Something that was accepted but may be wrong (e.g. a repaired line).</summary>
    void Warning(string message);
}

/// <summary>A log that drops everything.</summary>
public sealed class NullJobLog : IJobLog
{
    public static readonly NullJobLog Instance = new();

    public void Info(string line) { }

    public void Note(string message) { }

    public void Warning(string message) { }
}

/// <summary>A job's input: a file, or a reader the caller owns (stdin, an HTTP request body).</summary>
public sealed record JobInput
{
    private JobInput(string name, string? path, TextReader? reader, Stream? stream = null)
    {
        Name = name;
        Path = path;
        Reader = reader;
        _stream = stream;
    }

    private readonly Stream? _stream;

    /// <summary>What errors call the input: the path, or e.g. "&lt;stdin&gt;".</summary>
    public string Name { get; }

    public string? Path { get; }

    public TextReader? Reader { get; }

    public static JobInput File(string path) => new(path, path, null);

    public static JobInput FromReader(TextReader reader, string name) => new(name, null, reader);

    /// <summary>
    /// Bytes the caller owns (standard input), decoded as a file is: invalid UTF-8 is an error at its line and byte
    /// offset, or escaped for a byte-for-byte copy when read with strictUtf8 false.
    /// </summary>
    public static JobInput FromStream(Stream stream, string name) => new(name, null, null, stream);

    /// <summary>Fails with "PATH: file not found" for a missing file, and in one line for a directory, device or FIFO.</summary>
    public void CheckExists()
    {
        if (Path is not null) IO.InputFile.Check(Path);
    }

    /// <summary>
    /// Runs <paramref name="read"/> on the input: a file is opened as UTF-8 (BOM skipped) and closed after. Invalid UTF-8
    /// is an error naming its line and byte offset, unless <paramref name="strictUtf8"/> is false.
    /// </summary>
    internal T Read<T>(Func<TextReader, T> read, bool strictUtf8 = true)
    {
        CheckExists();
        if (Reader is not null) return read(Reader);
        if (_stream is not null)
        {
            using var text = strictUtf8
                ? new StreamReader(new IO.Utf8CheckingStream(_stream, Name), new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, 1 << 16, leaveOpen: true)
                : new StreamReader(_stream, Text.Utf8Escapes.Encoding, detectEncodingFromByteOrderMarks: false, 1 << 16, leaveOpen: true);
            return read(text);
        }
        using var reader = Corpus.CorpusReader.OpenText(Path!, strictUtf8);
        try
        {
            return read(reader);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw IO.InputFile.InvalidUtf8(Path!);
        }
    }
}
