namespace Nerve;

/// <summary>
/// An error the user can act on: bad input, a missing file, an invalid option.
/// Front ends print <see cref="Exception.Message"/> as one line and exit non-zero, without a stack trace.
/// </summary>
public class NerveException : Exception
{
    public NerveException(string message) : base(message) { }
    public NerveException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// Malformed input data, located to file and line: "FILE:LINE: expected X, found Y".
/// </summary>
public sealed class NerveDataException : NerveException
{
    public NerveDataException(string file, long line, string expected, string found)
        : base(Format(file, line, expected, found))
    {
        File = file;
        Line = line;
        Expected = expected;
        Found = found;
    }

    public string File { get; }
    /// <summary>1-based line number; 0 when the problem concerns the whole file.</summary>
    public long Line { get; }
    public string Expected { get; }
    public string Found { get; }

    private static string Format(string file, long line, string expected, string found)
        => line > 0 ? $"{file}:{line}: expected {expected}, found {found}" : $"{file}: expected {expected}, found {found}";

    /// <summary>Quotes a fragment of an offending line for an error message, shortened and with control characters made visible.</summary>
    public static string Quote(string text, int max = 60)
    {
        var t = text.Length > max ? text[..max] + "…" : text;
        t = t.Replace("\t", "\\t", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);
        return "\"" + t + "\"";
    }
}
