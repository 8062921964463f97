namespace Nerve.Corpus;

/// <summary>Column layout of a corpus file.</summary>
public enum CorpusFormat
{
    /// <summary>Decided from the first non-blank line: 2 columns read as PA4, otherwise the tag is the last column.</summary>
    Auto,
    /// <summary>CoNLL-2003: <c>word POS chunk NER</c>, 4 space-separated columns, <c>-DOCSTART-</c> lines between documents.</summary>
    Conll,
    /// <summary>CS224N PA4: <c>word TAB label</c>.</summary>
    Pa4,
    /// <summary>Any number of tab- or space-separated columns; the tag is the last column unless a tag column is given.</summary>
    Columns,
}

/// <summary>A corpus file as read by <see cref="CorpusReader"/>: its sentences and what was learned about its layout.</summary>
public sealed class CorpusFile
{
    public CorpusFile(string path, IReadOnlyList<Sentence> sentences, CorpusFormat format, char delimiter, int columnCount, int tagColumn, int documents, int tokens)
    {
        Path = path;
        Sentences = sentences;
        Format = format;
        Delimiter = delimiter;
        ColumnCount = columnCount;
        TagColumn = tagColumn;
        Documents = documents;
        Tokens = tokens;
    }

    /// <summary>The file name as given ("-" or another display name for a reader).</summary>
    public string Path { get; }
    public IReadOnlyList<Sentence> Sentences { get; }
    /// <summary>The resolved format (never <see cref="CorpusFormat.Auto"/>).</summary>
    public CorpusFormat Format { get; }
    /// <summary>'\t' when the first token line contains a tab, otherwise ' '.</summary>
    public char Delimiter { get; }
    /// <summary>Columns per token line in the file, the tag column included.</summary>
    public int ColumnCount { get; }
    /// <summary>1-based column holding the gold tag; 0 when the file has words only.</summary>
    public int TagColumn { get; }
    /// <summary>Number of -DOCSTART- lines.</summary>
    public int Documents { get; }
    /// <summary>Number of tokens, -DOCSTART- lines excluded.</summary>
    public int Tokens { get; }
}
