namespace Nerve.Tagging;

/// <summary>How <see cref="RecognizedEntity"/> and <see cref="RecognizedToken"/> offsets count characters.</summary>
public enum OffsetUnit
{
    /// <summary>UTF-16 code units: string indices in C#, Java and JavaScript (the default).</summary>
    Utf16,

    /// <summary>Unicode code points: string indices in Python 3 (an emoji is one, not two).</summary>
    CodePoints,
}

/// <summary>Options of <see cref="Recognition.Recognize(Nerve.Model.NerModel, string, RecognizeOptions?)"/> and its batched forms.</summary>
public sealed record RecognizeOptions
{
    /// <summary>The default options: UTF-16 offsets.</summary>
    public static readonly RecognizeOptions Default = new();

    /// <summary>The unit of every Start and End offset.</summary>
    public OffsetUnit Offsets { get; init; } = OffsetUnit.Utf16;

    /// <summary>Tokens gathered before a batch goes through the model (<see cref="Recognition.RecognizeMany"/>); at least 1.</summary>
    public int BatchTokens { get; init; } = 4096;

    /// <summary>
    /// What splits one text into several documents (for a model with document features): with
    /// <see cref="DocumentSeparator.Blank2"/>, two or more blank lines; by default each text is one document.
    /// </summary>
    public Corpus.DocumentSeparator Documents { get; init; }
}

/// <summary>A text with the entities and tokens the model found in it.</summary>
/// <param name="Text">The text as given: offsets index into it.</param>
/// <param name="Entities">The entities in text order.</param>
/// <param name="Tokens">Every token in text order, with its predicted tag.</param>
public sealed record RecognizedDocument(string Text, IReadOnlyList<RecognizedEntity> Entities, IReadOnlyList<RecognizedToken> Tokens)
{
    /// <summary>The index in <see cref="Tokens"/> of each sentence's first token, in order.</summary>
    public IReadOnlyList<int> SentenceStarts { get; init; } = [];
}

/// <summary>One entity: <see cref="Text"/> is the text between the end-exclusive offsets [<see cref="Start"/>, <see cref="End"/>).</summary>
/// <param name="Start">First character, in the <see cref="OffsetUnit"/> asked for.</param>
/// <param name="End">One past the last character.</param>
/// <param name="Label">The entity type without prefix ("PER", "LOC").</param>
/// <param name="Text">The entity's text, original spacing kept.</param>
/// <param name="Score">The probability that exactly this span is an entity of this type (<see cref="SpanConfidence"/>).</param>
public sealed record RecognizedEntity(int Start, int End, string Label, string Text, double Score);

/// <summary>One token with its tag, in the scheme of the training corpus ("B-PER", "I-LOC", "O").</summary>
/// <param name="Start">First character, in the <see cref="OffsetUnit"/> asked for.</param>
/// <param name="End">One past the last character.</param>
/// <param name="Text">The token's text.</param>
/// <param name="Tag">The predicted tag.</param>
/// <param name="Score">The probability of the predicted tag: the CRF's marginal P(y_t = ŷ_t), or the softmax (σ) probability.</param>
public sealed record RecognizedToken(int Start, int End, string Text, string Tag, double Score);

/// <summary>An entity of a tokenized sentence, in token indices [<see cref="Start"/>, <see cref="End"/>).</summary>
/// <param name="Start">First token.</param>
/// <param name="End">One past the last token.</param>
/// <param name="Label">The entity type.</param>
/// <param name="Score">The probability that exactly this span is an entity of this type.</param>
public readonly record struct ScoredSpan(int Start, int End, string Label, double Score);

/// <summary>A tagged sentence: tags in the corpus scheme, each tag's probability, and the entities with theirs.</summary>
/// <param name="Tags">One tag per token.</param>
/// <param name="Scores">The probability of each token's tag.</param>
/// <param name="Entities">The entities, in order.</param>
public sealed record SentenceAnnotation(string[] Tags, float[] Scores, ScoredSpan[] Entities);
