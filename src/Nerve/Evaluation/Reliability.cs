using Nerve.Corpus;

namespace Nerve.Evaluation;

/// <summary>
/// The reliability curve of predicted phrases scored by the mean of their tokens' confidences (as HuggingFace groups
/// them), for predictions that carry token confidences only. A phrase is correct when gold has the same span and
/// type; the binning and the ECE are <see cref="Calibration.Reliability"/>'s, which the entity scores of the CRF
/// lattice (<c>nerve eval --calibration</c>) use too.
/// </summary>
public static class Reliability
{
    /// <summary>Bins of equal width over [0, 1] (the last one includes 1); empty bins have Count 0.</summary>
    public static IReadOnlyList<ReliabilityBin> Bins(IReadOnlyList<IReadOnlyList<string>> gold, IReadOnlyList<IReadOnlyList<string>> predicted,
        IReadOnlyList<IReadOnlyList<float>> confidence, TagScheme scheme, int bins = 10)
    {
        if (bins < 1) throw new NerveException($"reliability needs at least one bin, got {bins}");
        return Calibration.Reliability(Outcomes(gold, predicted, confidence, scheme), bins).Bins;
    }

    /// <summary>Each predicted phrase's mean token confidence and whether gold has it.</summary>
    private static IEnumerable<(double Confidence, bool Correct)> Outcomes(IReadOnlyList<IReadOnlyList<string>> gold,
        IReadOnlyList<IReadOnlyList<string>> predicted, IReadOnlyList<IReadOnlyList<float>> confidence, TagScheme scheme)
    {
        for (int s = 0; s < predicted.Count; s++)
        {
            var g = Tags.ToSpans(gold[s], scheme);
            foreach (var p in Tags.ToSpans(predicted[s], scheme))
            {
                double c = 0;
                for (int i = p.Start; i < p.End; i++) c += confidence[s][i];
                yield return (Math.Clamp(c / p.Length, 0, 1), g.Contains(p));
            }
        }
    }

    /// <summary>Expected calibration error: Σ_b (n_b / n) |precision_b − confidence_b| over non-empty bins.</summary>
    public static double ExpectedError(IReadOnlyList<ReliabilityBin> bins)
    {
        int n = bins.Sum(b => b.Count);
        return n == 0 ? 0 : bins.Where(b => b.Count > 0).Sum(b => (double)b.Count / n * Math.Abs(b.Precision - b.MeanConfidence));
    }
}
