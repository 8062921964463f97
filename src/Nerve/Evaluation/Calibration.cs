using System.Globalization;
using System.Text;
using Nerve.Corpus;
using Nerve.Model;
using Nerve.Tagging;

namespace Nerve.Evaluation;

/// <summary>One confidence bin of a reliability table: the predicted entities whose score fell in [Lower, Upper).</summary>
/// <param name="Lower">The bin's lower edge.</param>
/// <param name="Upper">The bin's upper edge (the last bin includes 1).</param>
/// <param name="Count">Predicted entities in the bin.</param>
/// <param name="MeanConfidence">Their mean score (0 for an empty bin).</param>
/// <param name="Precision">The fraction of them that are gold entities (same span and type; 0 for an empty bin).</param>
public sealed record ReliabilityBin(double Lower, double Upper, int Count, double MeanConfidence, double Precision);

/// <summary>A reliability table over predicted entities and its expected calibration error.</summary>
/// <param name="Bins">Equal-width bins over [0, 1].</param>
/// <param name="Count">Predicted entities in all.</param>
/// <param name="Ece">ECE = Σ_b (n_b / N) · |precision_b − mean confidence_b|.</param>
public sealed record ReliabilityTable(IReadOnlyList<ReliabilityBin> Bins, int Count, double Ece)
{
    /// <summary>The table as text, one bin a line, then the ECE.</summary>
    public string Format()
    {
        var b = new StringBuilder();
        b.Append("entity calibration (predicted entities by score):\n");
        b.Append("     bin        count   mean score   precision\n");
        foreach (var bin in Bins)
            b.Append(CultureInfo.InvariantCulture, $"  [{bin.Lower:F1}, {bin.Upper:F1}{(bin.Upper >= 1 ? "]" : ")")}  {bin.Count,8}   {bin.MeanConfidence,10:F4}   {bin.Precision,9:F4}\n");
        b.Append(CultureInfo.InvariantCulture, $"expected calibration error (ECE) over {Count} entities: {Ece:F4}\n");
        return b.ToString();
    }
}

/// <summary>
/// Whether entity scores (<see cref="RecognizedEntity.Score"/>) can be trusted: reliability tables on a gold corpus,
/// and the temperature T that makes them so (temperature scaling, Guo et al. 2017: every score s, and the CRF's
/// transitions, divided by T; the decoded tags do not change).
/// </summary>
public static class Calibration
{
    /// <summary>The reliability table of (confidence, correct) pairs over <paramref name="bins"/> equal-width bins.</summary>
    public static ReliabilityTable Reliability(IEnumerable<(double Confidence, bool Correct)> predictions, int bins = 10)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        var tally = new ReliabilityTally(bins);
        foreach (var (c, ok) in predictions)
            tally.Add(c, ok);
        return tally.Table();
    }

    /// <summary>Every predicted entity's score and whether it is a gold entity (same tokens, same type).</summary>
    public static IEnumerable<(double Confidence, bool Correct)> Outcomes(IReadOnlyList<Sentence> gold, IReadOnlyList<SentenceAnnotation> predicted)
    {
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(predicted);
        var scheme = Tags.Detect(gold.Select(s => (IReadOnlyList<string>)s.Tags));
        for (int s = 0; s < gold.Count; s++)
        {
            var spans = new HashSet<Span>(Tags.ToSpans(gold[s].Tags, scheme));
            foreach (var e in predicted[s].Entities) yield return (e.Score, spans.Contains(new Span(e.Start, e.End, e.Label)));
        }
    }

    /// <summary>Tags <paramref name="gold"/> and tabulates the predicted entities' scores against their correctness.</summary>
    public static ReliabilityTable Measure(NerModel model, IReadOnlyList<Sentence> gold, int bins = 10)
        => Reliability(Outcomes(gold, model.Annotate(gold)), bins);

    /// <summary>
    /// The temperature T ∈ [1/8, 8] minimising the negative log-likelihood of entity correctness on <paramref name="gold"/>,
    /// −Σ_e [c_e log p_e(T) + (1 − c_e) log(1 − p_e(T))] (p clamped to [1e-6, 1 − 1e-6]), by golden-section search on
    /// log T. The network runs once; only the lattices are redone per T. Returns T and the NLL at T = 1 and at T.
    /// </summary>
    public static (double Temperature, double NllBefore, double NllAfter) FitTemperature(NerModel model, IReadOnlyList<Sentence> gold)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(gold);
        var lattices = new Annotator(model, 1).Lattices(gold);
        var scheme = Tags.Detect(gold.Select(s => (IReadOnlyList<string>)s.Tags));
        var goldSpans = gold.Select(s => new HashSet<Span>(Tags.ToSpans(s.Tags, scheme))).ToArray();
        double Nll(double t)
        {
            var annotator = new Annotator(model, t);
            double nll = 0;
            for (int s = 0; s < lattices.Length; s++)
            {
                var (scores, classes, confidence) = lattices[s];
                foreach (var e in annotator.Finish(scores, classes, confidence).Entities)
                {
                    double p = Math.Clamp(e.Score, 1e-6, 1 - 1e-6);
                    nll -= goldSpans[s].Contains(new Span(e.Start, e.End, e.Label)) ? Math.Log(p) : Math.Log(1 - p);
                }
            }
            return nll;
        }
        double lo = Math.Log(0.125), hi = Math.Log(8), g = (Math.Sqrt(5) - 1) / 2;
        double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo), f1 = Nll(Math.Exp(x1)), f2 = Nll(Math.Exp(x2));
        for (int i = 0; i < 30; i++)
        {
            if (f1 <= f2)
            {
                hi = x2; x2 = x1; f2 = f1;
                x1 = hi - g * (hi - lo); f1 = Nll(Math.Exp(x1));
            }
            else
            {
                lo = x1; x1 = x2; f1 = f2;
                x2 = lo + g * (hi - lo); f2 = Nll(Math.Exp(x2));
            }
        }
        double best = Math.Exp((lo + hi) / 2);
        return (best, Nll(1), Nll(best));
    }
}

/// <summary><see cref="Calibration.Reliability"/> fed one (confidence, correct) pair at a time.</summary>
public sealed class ReliabilityTally
{
    private readonly int[] _count, _correct;
    private readonly double[] _confidence;
    private int _total;

    public ReliabilityTally(int bins = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        _count = new int[bins];
        _correct = new int[bins];
        _confidence = new double[bins];
    }

    public void Add(double confidence, bool correct)
    {
        if (!(confidence >= 0 && confidence <= 1)) throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "a confidence must lie in [0, 1]");
        int bins = _count.Length, b = Math.Min(bins - 1, (int)(confidence * bins));
        _count[b]++;
        _confidence[b] += confidence;
        if (correct) _correct[b]++;
        _total++;
    }

    /// <summary>The table of the pairs so far.</summary>
    public ReliabilityTable Table()
    {
        int bins = _count.Length;
        var table = new ReliabilityBin[bins];
        double ece = 0;
        for (int b = 0; b < bins; b++)
        {
            double mean = _count[b] == 0 ? 0 : _confidence[b] / _count[b], precision = _count[b] == 0 ? 0 : (double)_correct[b] / _count[b];
            table[b] = new ReliabilityBin((double)b / bins, (double)(b + 1) / bins, _count[b], mean, precision);
            if (_total > 0) ece += (double)_count[b] / _total * Math.Abs(precision - mean);
        }
        return new ReliabilityTable(table, _total, ece);
    }
}

/// <summary>
/// <see cref="Calibration.Measure"/> over a corpus fed a batch of sentences at a time. Whether an entity is correct
/// depends on the gold scheme, which <see cref="Tags.Detect"/> decides from the whole corpus, so the pairs are tallied
/// under every scheme and the detected one's table is returned: the same table as one call on all the sentences.
/// </summary>
public sealed class CalibrationTally(NerModel model, int bins = 10)
{
    private readonly SchemeDetector _scheme = new();
    private readonly ReliabilityTally[] _tallies = [.. Enum.GetValues<TagScheme>().Select(_ => new ReliabilityTally(bins))];

    /// <summary>Tags <paramref name="gold"/> and tallies its predicted entities' scores against their correctness.</summary>
    public void Add(IReadOnlyList<Sentence> gold)
    {
        ArgumentNullException.ThrowIfNull(gold);
        var predicted = model.Annotate(gold);
        foreach (var scheme in Enum.GetValues<TagScheme>())
        {
            for (int s = 0; s < gold.Count; s++)
            {
                if (predicted[s].Entities.Length == 0) continue;
                var spans = new HashSet<Span>(Tags.ToSpans(gold[s].Tags, scheme));
                foreach (var e in predicted[s].Entities) _tallies[(int)scheme].Add(e.Score, spans.Contains(new Span(e.Start, e.End, e.Label)));
            }
        }
        foreach (var s in gold) _scheme.Add(s.Tags);
    }

    /// <summary>The reliability table under the scheme of all the gold sentences so far.</summary>
    public ReliabilityTable Table() => _tallies[(int)_scheme.Scheme].Table();
}
