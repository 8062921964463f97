namespace Nerve.Corpus;

/// <summary>What starts a new document in a column file (document features are computed per document).</summary>
public enum DocumentSeparator
{
    /// <summary>A <c>-DOCSTART-</c> line (CoNLL-2003, CoNLL-2002 Dutch).</summary>
    DocStart,
    /// <summary>A <c>-DOCSTART-</c> line, or a run of two or more blank lines between sentences.</summary>
    Blank2,
}

/// <summary>The spellings of <see cref="DocumentSeparator"/> on the command line and in configs.</summary>
public static class DocumentSeparators
{
    /// <summary>The names, in enum order.</summary>
    public static readonly string[] Names = ["docstart", "blank2"];

    /// <summary>The command-line name of <paramref name="separator"/>.</summary>
    public static string Name(DocumentSeparator separator) => Names[(int)separator];

    /// <summary>The separator named <paramref name="name"/>; anything else is a clear error naming the choices.</summary>
    public static DocumentSeparator Parse(string name) => Array.IndexOf(Names, name) is var i and >= 0
        ? (DocumentSeparator)i
        : throw new NerveException($"--doc-sep must be {string.Join(" or ", Names)}, found \"{name}\"");
}

/// <summary>
/// Counts the documents of column lines as they are read, the one rule of the reader and the streaming tagger: a
/// <c>-DOCSTART-</c> line starts one, and with <see cref="DocumentSeparator.Blank2"/> so does a token line after a run of
/// two or more blank lines that holds no <c>-DOCSTART-</c> line (blank lines before the first token start nothing).
/// </summary>
public struct DocumentCounter(DocumentSeparator separator)
{
    private int _blankRun;       // blank lines since the last token line
    private bool _docStartInRun; // a -DOCSTART- line since the last token line
    private bool _tokens;        // a token line was read

    /// <summary>Documents started so far (separators read).</summary>
    public int Documents { get; private set; }

    /// <summary>A line that is not a token: a blank line, or a -DOCSTART- line.</summary>
    public void Separator(ColumnLineKind kind)
    {
        if (kind == ColumnLineKind.DocStart)
        {
            Documents++;
            _docStartInRun = true;
        }
        else
        {
            _blankRun++;
        }
    }

    /// <summary>A token line.</summary>
    public void Token()
    {
        if (_blankRun >= 2 && !_docStartInRun && separator == DocumentSeparator.Blank2 && _tokens) Documents++;
        _blankRun = 0;
        _docStartInRun = false;
        _tokens = true;
    }
}
