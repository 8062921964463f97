namespace Nerve.Corpus;

/// <summary>
/// One sentence of a column corpus: per token its columns (the word first, the tag column removed)
/// and its gold tag. Untagged input (raw text, `nerve tag` on words only) has tags of "O".
/// </summary>
public sealed class Sentence
{
    private readonly string[] _cells; // (Count, Width) row-major; the words array itself when Width is 1

    public Sentence(string[] words, string[] tags, string[][]? columns = null, long firstLine = 0)
        : this(words, tags, Flatten(words, columns), columns is null || columns.Length == 0 ? 1 : columns[0].Length, firstLine)
    {
    }

    /// <summary>
    /// A sentence whose columns are one flat array <paramref name="cells"/> (Count, <paramref name="width"/>), row by row,
    /// with cells[i·width] == words[i]: one array per sentence rather than one per token.
    /// </summary>
    public Sentence(string[] words, string[] tags, string[] cells, int width, long firstLine = 0)
    {
        if (words.Length != tags.Length)
            throw new ArgumentException($"{words.Length} words but {tags.Length} tags", nameof(tags));
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (cells.Length != (long)words.Length * width)
            throw new ArgumentException($"{words.Length} words of {width} columns but {cells.Length} cells", nameof(cells));
        Words = words;
        Tags = tags;
        _cells = cells;
        Width = width;
        FirstLine = firstLine;
    }

    /// <summary>The surface forms, original case (column 0).</summary>
    public string[] Words { get; }

    /// <summary>Gold tags, one per word.</summary>
    public string[] Tags { get; }

    /// <summary>Columns per token, the tag column excluded (1 for words only).</summary>
    public int Width { get; }

    /// <summary>Token <paramref name="i"/>'s columns except the tag column; Row(i)[0] == Words[i].</summary>
    public ReadOnlySpan<string> Row(int i) => _cells.AsSpan(i * Width, Width);

    /// <summary>1-based line of the first token in its file, 0 when not from a file.</summary>
    public long FirstLine { get; }

    public int Count => Words.Length;

    /// <summary>
    /// The document the sentence belongs to: in a column file, the number of <c>-DOCSTART-</c> lines before it; in raw
    /// text, the input's index. Consecutive sentences with the same value form one document (document features).
    /// </summary>
    public int Document { get; init; }

    public Sentence WithTags(string[] tags) => new(Words, tags, _cells, Width, FirstLine) { Document = Document };

    /// <summary>The same sentence (arrays shared) in document <paramref name="document"/>.</summary>
    public Sentence InDocument(int document) => new(Words, Tags, _cells, Width, FirstLine) { Document = document };

    private static string[] Flatten(string[] words, string[][]? columns)
    {
        if (columns is null || columns.Length == 0) return words;
        if (columns.Length != words.Length)
            throw new ArgumentException($"{words.Length} words but {columns.Length} column rows", nameof(columns));
        int width = columns[0].Length;
        var cells = new string[columns.Length * width];
        for (int i = 0; i < columns.Length; i++)
        {
            if (columns[i].Length != width)
                throw new ArgumentException($"row {i} has {columns[i].Length} columns, row 0 has {width}", nameof(columns));
            columns[i].CopyTo(cells, i * width);
        }
        return cells;
    }
}
