namespace Nerve.Corpus;

/// <summary>
/// One sentence of a column corpus: per token its columns (the word first, the tag column removed)
/// and its gold tag. Untagged input (raw text, `nerve tag` on words only) has tags of "O".
/// </summary>
public sealed class Sentence
{
    public Sentence(string[] words, string[] tags, string[][]? columns = null, long firstLine = 0)
    {
        if (words.Length != tags.Length)
            throw new ArgumentException($"{words.Length} words but {tags.Length} tags", nameof(tags));
        if (columns is not null && columns.Length != words.Length)
            throw new ArgumentException($"{words.Length} words but {columns.Length} column rows", nameof(columns));
        Words = words;
        Tags = tags;
        Columns = columns ?? Array.ConvertAll(words, w => new[] { w });
        FirstLine = firstLine;
    }

    /// <summary>The surface forms, original case (column 0).</summary>
    public string[] Words { get; }

    /// <summary>Gold tags, one per word.</summary>
    public string[] Tags { get; }

    /// <summary>All columns per token except the tag column; Columns[i][0] == Words[i].</summary>
    public string[][] Columns { get; }

    /// <summary>1-based line of the first token in its file, 0 when not from a file.</summary>
    public long FirstLine { get; }

    public int Count => Words.Length;

    public Sentence WithTags(string[] tags) => new(Words, tags, Columns, FirstLine);
}
