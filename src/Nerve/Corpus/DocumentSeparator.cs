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
