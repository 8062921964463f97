using Nerve.Corpus;

namespace Nerve.Evaluation;

/// <summary>One confidence bin: predicted phrases whose confidence lies in [Low, High), their mean confidence and the fraction correct.</summary>
public sealed record ReliabilityBin(double Low, double High, int Count, double MeanConfidence, double Precision);

/// <summary>
/// The reliability (calibration) curve of predicted phrases: a phrase's confidence is the mean of its tokens' (as
/// HuggingFace groups them), it is correct when gold has the same span and type, and a calibrated model's precision
/// in each bin equals its mean confidence.
/// </summary>
public static class Reliability
{
    /// <summary>Bins of equal width over [0, 1] (the last one includes 1); empty bins have Count 0 and NaN means.</summary>
    public static ReliabilityBin[] Bins(IReadOnlyList<IReadOnlyList<string>> gold, IReadOnlyList<IReadOnlyList<string>> predicted,
        IReadOnlyList<IReadOnlyList<float>> confidence, TagScheme scheme, int bins = 10)
    {
        if (bins < 1) throw new NerveException($"reliability needs at least one bin, got {bins}");
        var count = new int[bins];
        var sumConfidence = new double[bins];
        var correct = new int[bins];
        for (int s = 0; s < predicted.Count; s++)
        {
            var g = Tags.ToSpans(gold[s], scheme);
            foreach (var p in Tags.ToSpans(predicted[s], scheme))
            {
                double c = 0;
                for (int i = p.Start; i < p.End; i++) c += confidence[s][i];
                c /= p.Length;
                int b = Math.Clamp((int)(c * bins), 0, bins - 1);
                count[b]++;
                sumConfidence[b] += c;
                if (g.Contains(p)) correct[b]++;
            }
        }
        return [.. Enumerable.Range(0, bins).Select(b => new ReliabilityBin((double)b / bins, (double)(b + 1) / bins, count[b],
            count[b] > 0 ? sumConfidence[b] / count[b] : double.NaN, count[b] > 0 ? (double)correct[b] / count[b] : double.NaN))];
    }

    /// <summary>Expected calibration error: Σ_b (n_b / n) |precision_b − confidence_b| over non-empty bins.</summary>
    public static double ExpectedError(IReadOnlyList<ReliabilityBin> bins)
    {
        int n = bins.Sum(b => b.Count);
        return n == 0 ? 0 : bins.Where(b => b.Count > 0).Sum(b => (double)b.Count / n * Math.Abs(b.Precision - b.MeanConfidence));
    }
}
