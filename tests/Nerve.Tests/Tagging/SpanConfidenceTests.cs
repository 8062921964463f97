using Nerve.Corpus;
using Nerve.Model;
using Nerve.Tagging;

namespace Nerve.Tests.Tagging;

/// <summary>
/// Entity probabilities from the constrained forward pass (<see cref="Crf{T}.ConstrainedLogZ"/> with the label
/// constraints of <see cref="SpanConfidence"/>) against brute-force enumeration of every tag path of tiny lattices.
/// </summary>
public class SpanConfidenceTests
{
    private static readonly string[] Bioes = ["O", "B-X", "I-X", "E-X", "S-X"];
    private static readonly string[] Io = ["O", "I-X", "I-Y"];

    private sealed record Lattice(double[] S, double[] A, double[] A0, double[] An, int N, int K);

    private static Lattice Random(int n, int k, int seed)
    {
        var rng = new Random(seed);
        double[] R(int len) => [.. Enumerable.Range(0, len).Select(_ => rng.NextDouble() * 4 - 2)];
        return new Lattice(R(n * k), R(k * k), R(k), R(k), n, k);
    }

    /// <summary>Every path y ∈ K^n with its score(y).</summary>
    private static IEnumerable<(int[] Path, double Score)> Paths(Lattice l)
    {
        var y = new int[l.N];
        long total = (long)Math.Pow(l.K, l.N);
        for (long code = 0; code < total; code++)
        {
            long c = code;
            for (int t = 0; t < l.N; t++, c /= l.K) y[t] = (int)(c % l.K);
            yield return ((int[])y.Clone(), Crf<double>.PathScore(l.S, l.A, l.A0, l.An, y, l.N, l.K));
        }
    }

    private static double LogSumExp(IEnumerable<double> xs)
    {
        var a = xs.ToArray();
        if (a.Length == 0) return double.NegativeInfinity;
        double m = a.Max();
        return m + Math.Log(a.Sum(x => Math.Exp(x - m)));
    }

    /// <summary>P(span) by the constrained pass, as the tagger computes it.</summary>
    private static double Constrained(Lattice l, string[] labels, TagScheme scheme, int i, int j, string type, out double[] marginals)
    {
        int n = l.N, k = l.K;
        marginals = new double[n * k];
        var alpha = new double[n * k];
        var beta = new double[n * k];
        double logZ = Crf<double>.Forward(marginals, alpha, beta, l.S, l.A, l.A0, l.An, [], n, k, out _);
        var spans = new SpanConfidence(labels, scheme);
        var (lo, hi) = spans.Window(i, j, n);
        var allowed = new bool[(hi - lo) * k];
        Assert.True(spans.Constrain(allowed, i, j, type, lo, hi));
        double logZc = Crf<double>.ConstrainedLogZ(l.S, l.A, l.A0, alpha, beta, n, k, lo, allowed, new double[2 * k]);
        return Math.Exp(logZc - logZ);
    }

    [Fact]
    public void Bioes_span_probability_is_the_mass_of_the_paths_that_encode_exactly_that_span()
    {
        for (int n = 1; n <= 6; n++)
        {
            var l = Random(n, Bioes.Length, seed: n);
            var paths = Paths(l).ToArray();
            double logZ = LogSumExp(paths.Select(p => p.Score));
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j <= n; j++)
                {
                    // The span's BIOES encoding, written by the corpus code, not by the constraint builder.
                    var encoding = Tags.FromSpans(n, [new Span(i, j, "X")], TagScheme.BIOES)[i..j];
                    double brute = Math.Exp(LogSumExp(paths.Where(p => Enumerable.Range(i, j - i).All(t => Bioes[p.Path[t]] == encoding[t - i])).Select(p => p.Score)) - logZ);
                    double fast = Constrained(l, Bioes, TagScheme.BIOES, i, j, "X", out var marginals);
                    Assert.True(Math.Abs(brute - fast) < 1e-12, $"n={n} [{i},{j}): brute {brute} vs constrained {fast}");
                    Assert.InRange(fast, 0, 1);
                    if (j == i + 1) Assert.Equal(marginals[i * Bioes.Length + 4], fast, 12); // one token: P(y_i = S-X)
                }
        }
    }

    [Fact]
    public void Io_span_probability_is_the_mass_of_the_paths_whose_maximal_run_is_that_span()
    {
        for (int n = 1; n <= 6; n++)
        {
            var l = Random(n, Io.Length, seed: 10 + n);
            var paths = Paths(l).ToArray();
            double logZ = LogSumExp(paths.Select(p => p.Score));
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j <= n; j++)
                    foreach (string type in new[] { "X", "Y" })
                    {
                        var span = new Span(i, j, type);
                        double brute = Math.Exp(LogSumExp(paths.Where(p => Tags.ToSpans([.. p.Path.Select(c => Io[c])], TagScheme.IO).Contains(span)).Select(p => p.Score)) - logZ);
                        double fast = Constrained(l, Io, TagScheme.IO, i, j, type, out var marginals);
                        Assert.True(Math.Abs(brute - fast) < 1e-12, $"n={n} {span}: brute {brute} vs constrained {fast}");
                        if (n == 1) Assert.Equal(marginals[type == "X" ? 1 : 2], fast, 12); // a one-token sentence: the token marginal
                    }
        }
    }

    [Fact]
    public void The_spans_of_one_sentence_and_the_outside_event_never_sum_past_one()
    {
        // Disjoint events: "[0, 2) is X" and "[0, 3) is X" cannot both hold, so their probabilities add up to at most 1.
        var l = Random(4, Bioes.Length, seed: 99);
        double p2 = Constrained(l, Bioes, TagScheme.BIOES, 0, 2, "X", out _);
        double p3 = Constrained(l, Bioes, TagScheme.BIOES, 0, 3, "X", out var marginals);
        double p1 = Constrained(l, Bioes, TagScheme.BIOES, 0, 1, "X", out _);
        Assert.True(p1 + p2 + p3 <= marginals[0 * 5 + 4] + marginals[0 * 5 + 1] + 1e-12); // all start at 0 with S-X or B-X
    }
}
