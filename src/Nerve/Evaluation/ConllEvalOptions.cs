namespace Nerve.Evaluation;

/// <summary>Command-line options of conlleval: <c>-r</c>, <c>-d DELIM</c>, <c>-o OTAG</c>.</summary>
public sealed record ConllEvalOptions
{
    /// <summary>-r: every tag other than <see cref="OTag"/> is a chunk of its own (X is read as B-X).</summary>
    public bool Raw { get; init; }

    /// <summary>-d: a regular expression splitting each line into fields, as Perl's split(/DELIM/, line).</summary>
    public string Delimiter { get; init; } = " ";

    /// <summary>-o: the outside tag; only used with <see cref="Raw"/>.</summary>
    public string OTag { get; init; } = "O";
}
