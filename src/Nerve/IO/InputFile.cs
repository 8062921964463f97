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
