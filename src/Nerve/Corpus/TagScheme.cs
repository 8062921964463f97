namespace Nerve.Corpus;

/// <summary>How entity spans are written as per-token tags.</summary>
public enum TagScheme
{
    /// <summary>Inside/outside only: "I-PER" or a bare "PER"; adjacent entities of one type cannot be told apart.</summary>
    IO,
    /// <summary>CoNLL-2003 original: I- throughout, B- only on a span that directly follows a span of the same type.</summary>
    IOB1,
    /// <summary>Every span starts with B-, continues with I-.</summary>
    IOB2,
    /// <summary>B- begin, I- inside, E- end, S- single-token span.</summary>
    BIOES,
}
