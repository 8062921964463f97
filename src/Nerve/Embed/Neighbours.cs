using System.Numerics.Tensors;

using Nerve.Features;
using Nerve.Vectors;

namespace Nerve.Embed;

/// <summary>A word and its cosine similarity to a query.</summary>
public readonly record struct Neighbour(string Word, float Cosine);

/// <summary>Nearest neighbours by cosine similarity, for sanity checks of trained vectors.</summary>
public static class Neighbours
{
    /// <summary>The <paramref name="k"/> words of <paramref name="vectors"/> closest to <paramref name="word"/>, the word itself left out.</summary>
    public static IReadOnlyList<Neighbour> Nearest(WordVectors vectors, string word, int k)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        var row = vectors.IndexOf(word);
        if (row < 0)
            throw new NerveException($"\"{word}\" is not in the vocabulary");
        return Nearest(vectors, vectors[row], k, row);
    }

    /// <summary>The <paramref name="k"/> rows closest to <paramref name="query"/>, skipping row <paramref name="exclude"/>.</summary>
    public static IReadOnlyList<Neighbour> Nearest(WordVectors vectors, ReadOnlySpan<float> query, int k, int exclude = -1)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var best = new List<Neighbour>(k + 1);
        var queryNorm = TensorPrimitives.Norm(query);
        for (var i = 0; i < vectors.Count; i++)
        {
            if (i == exclude)
                continue;
            var v = vectors[i];
            var norm = TensorPrimitives.Norm(v) * queryNorm;
            var cos = norm > 0 ? TensorPrimitives.Dot(v, query) / norm : 0;
            if (best.Count == k && (k == 0 || cos <= best[^1].Cosine))
                continue;
            var at = best.FindIndex(n => n.Cosine < cos);
            best.Insert(at < 0 ? best.Count : at, new Neighbour(vectors.Words[i], cos));
            if (best.Count > k)
                best.RemoveAt(k);
        }
        return best;
    }
}
