using Nerve.Model;

namespace Nerve.Features;

/// <summary>
/// Turns a sentence into per-token ids, one per feature table (the word table L first), and provides the ids of
/// the &lt;s&gt; / &lt;/s&gt; padding. The window input is the concatenation of these tables' rows over 2m + 1 tokens.
/// </summary>
public sealed class Featurizer
{
    public Featurizer(Vocabulary words) => Words = words;

    /// <summary>The word vocabulary (PA4 normalisation: lowercase, digit shapes, UUUNKKK).</summary>
    public Vocabulary Words { get; }

    /// <summary>F: ids per token.</summary>
    public int Count { get; } = 1;

    /// <summary>The feature tables in window-slot order, with the word table's dimension.</summary>
    public IReadOnlyList<FeatureSpec> Specs(int wordDim) => [new FeatureSpec("word", Words.Count, wordDim)];

    /// <summary>ids (n, F) for the n words of a sentence.</summary>
    public void Featurize(IReadOnlyList<string> words, Span<int> ids)
    {
        for (int i = 0; i < words.Count; i++)
            ids[i] = Words.Lookup(words[i]);
    }

    /// <summary>ids (F) of the padding before a sentence (seed: &lt;s&gt;).</summary>
    public void StartPadding(Span<int> ids) => ids[0] = Words.StartIndex;

    /// <summary>ids (F) of the padding after a sentence (seed: &lt;/s&gt;).</summary>
    public void EndPadding(Span<int> ids) => ids[0] = Words.EndIndex;
}
