using Nerve.Corpus;
using Nerve.Model;

namespace Nerve.Tagging;

/// <summary>
/// The confidence of an entity: the probability that the span [i, j) of a sentence is one entity of type X.
/// <para><b>CRF head</b> (exact): P = exp(log Z_c − log Z), where Z sums exp score(y) over all tag paths of the sentence
/// (<see cref="Crf{T}"/>) and Z_c over the paths that encode exactly this span, by a constrained forward pass
/// (<see cref="Crf{T}.ConstrainedLogZ"/>). The constraints per label scheme of the CRF:</para>
/// <list type="bullet">
/// <item>BIOES (the CRF's labels for any chunk-prefixed corpus): y_i … y_{j−1} = S-X when j = i + 1, else B-X I-X … I-X
/// E-X. B- and S- open a span and E- and S- close it whatever the neighbours are, so y_{i−1} and y_j are free.
/// Ill-formed paths that lenient decoding would also read as this span (an I-X after O) are not counted: trained
/// transitions give them next to no mass. For one token, P is the token marginal P(y_i = S-X).</item>
/// <item>IO (a CRF on an IO corpus): y_i … y_{j−1} = X, and y_{i−1} ≠ X and y_j ≠ X where those positions exist
/// (a span is a maximal run of its type).</item>
/// <item>IOB1 and IOB2 are never CRF labels (chunk corpora are converted to BIOES).</item>
/// </list>
/// <para><b>Softmax and sigmoid heads</b> (an approximation, documented as such): each window is classified alone, so
/// there is no lattice; the entity's score is the product Π_{t ∈ [i, j)} p_t(ŷ_t) of its tokens' probabilities of
/// their predicted tags, as if the windows were independent, with the boundary tags ignored.</para>
/// </summary>
internal sealed class SpanConfidence
{
    private readonly int _k;
    private readonly TagScheme _scheme;
    private readonly string[] _types;                  // the type of each label ("" for O)
    private readonly Dictionary<string, int> _index;   // label → class

    /// <summary>The constraints for the model's labels in its <see cref="NerModel.LabelScheme"/>.</summary>
    public SpanConfidence(NerModel model)
        : this(model.Config.Labels, model.LabelScheme)
    {
    }

    /// <summary>The constraints for <paramref name="labels"/> (the classes, in order) in <paramref name="scheme"/>.</summary>
    public SpanConfidence(IReadOnlyList<string> labels, TagScheme scheme)
    {
        _k = labels.Count;
        _scheme = scheme;
        _types = [.. labels.Select(l => Tags.Split(l).Type)];
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < labels.Count; j++) _index.TryAdd(labels[j], j);
    }

    /// <summary>Whether the CRF constraints above apply (BIOES or IO labels).</summary>
    public bool Exact => _scheme is TagScheme.BIOES or TagScheme.IO;

    /// <summary>Positions a span's constraint covers: [i − 1, j + 1) in IO (clipped to the sentence), [i, j) in BIOES.</summary>
    public (int From, int To) Window(int start, int end, int n) => _scheme == TagScheme.IO ? (Math.Max(0, start - 1), Math.Min(n, end + 1)) : (start, end);

    /// <summary>
    /// Fills <paramref name="allowed"/> ((to − from), K) with the labels allowed at each position of
    /// <see cref="Window"/> for the span [start, end) of <paramref name="type"/>; false when a required label is unknown.
    /// </summary>
    public bool Constrain(Span<bool> allowed, int start, int end, string type, int from, int to)
    {
        allowed.Clear();
        for (int t = from; t < to; t++)
        {
            var row = allowed.Slice((t - from) * _k, _k);
            if (_scheme == TagScheme.IO)
            {
                bool inside = t >= start && t < end;
                for (int j = 0; j < _k; j++) row[j] = inside == (_types[j] == type);
                continue;
            }
            string label = (end - start == 1 ? "S-" : t == start ? "B-" : t == end - 1 ? "E-" : "I-") + type;
            if (!_index.TryGetValue(label, out int c)) return false;
            row[c] = true;
        }
        return true;
    }
}
