namespace Nerve.IO;

/// <summary>
/// The check every input file passes before it is opened: it exists and is a regular file (through symbolic links).
/// A directory, device, FIFO or socket is refused in one line, so a FIFO with no writer never hangs a command
/// (standard input is "-", which callers read without a path).
/// </summary>
public static class InputFile
{
    /// <summary>Fails with "PATH: file not found" or "PATH: is a directory; expected a file", and so on.</summary>
    /// <param name="what">What the file is, for the not-found message ("file", "model file").</param>
    public static void Check(string path, string what = "file")
    {
        var kind = AtomicFile.Kind(path);
        switch (kind)
        {
            case FileKind.Regular:
                return;
            case FileKind.Missing:
                throw new NerveException($"{path}: {what} not found");
            default:
                throw new NerveException($"{path}: is {AtomicFile.Describe(kind)}; expected a regular file{(kind is FileKind.Directory ? "" : " (use - for standard input)")}");
        }
    }

    /// <summary>
    /// The error for a file a strict UTF-8 decoder refused: its line and the byte offset of the first invalid sequence.
    /// </summary>
    public static NerveException InvalidUtf8(string path)
    {
        byte[] bytes;
        try
        {
            bytes = ReadAllBytes(path);
        }
        catch (NerveException e)
        {
            return e;
        }
        var chars = new char[bytes.Length];
        System.Text.Unicode.Utf8.ToUtf16(bytes, chars, out int offset, out _, replaceInvalidSequences: false);
        long line = 1 + bytes.AsSpan(0, offset).Count((byte)'\n');
        return new NerveDataException(path, line, "UTF-8 text", $"invalid UTF-8 at byte offset {offset}");
    }

    /// <summary>The whole file, or "PATH: cannot read: …" as a <see cref="NerveException"/>.</summary>
    public static byte[] ReadAllBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NerveException($"{path}: cannot read: {e.Message}", e);
        }
    }
}

/// <summary>
/// A read-only stream that passes bytes through and checks that they are UTF-8 as they go, for input that cannot be
/// read twice (standard input): the first invalid sequence is the <see cref="NerveDataException"/> that
/// <see cref="InputFile.InvalidUtf8"/> gives for a file, "NAME:LINE: expected UTF-8 text, found invalid UTF-8 at byte
/// offset N". A sequence cut by the end of the stream is invalid; one cut by the end of a read waits for the next.
/// </summary>
public sealed class Utf8CheckingStream(Stream inner, string name) : Stream
{
    private byte[] _joined = [];
    private char[] _chars = [];
    private readonly byte[] _pending = new byte[4];
    private int _pendingCount;
    private long _checked, _lines; // bytes before _pending, and the "\n" among them

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _checked + _pendingCount; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        Check(buffer[..n], final: n == 0 && buffer.Length > 0);
        return n;
    }

    private void Check(ReadOnlySpan<byte> bytes, bool final)
    {
        int length = _pendingCount + bytes.Length;
        if (_joined.Length < length) _joined = new byte[Math.Max(length, 2 * _joined.Length)];
        if (_chars.Length < length) _chars = new char[_joined.Length];
        _pending.AsSpan(0, _pendingCount).CopyTo(_joined);
        bytes.CopyTo(_joined.AsSpan(_pendingCount));
        var data = _joined.AsSpan(0, length);
        var status = System.Text.Unicode.Utf8.ToUtf16(data, _chars, out int read, out _, replaceInvalidSequences: false, isFinalBlock: final);
        if (status == System.Buffers.OperationStatus.InvalidData)
        {
            long line = 1 + _lines + data[..read].Count((byte)'\n');
            throw new NerveDataException(name, line, "UTF-8 text", $"invalid UTF-8 at byte offset {_checked + read}");
        }
        _lines += data[..read].Count((byte)'\n');
        _checked += read;
        _pendingCount = length - read; // an incomplete sequence at the end (NeedMoreData): at most 3 bytes
        data[read..].CopyTo(_pending);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
