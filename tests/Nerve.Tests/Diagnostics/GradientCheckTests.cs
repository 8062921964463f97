using Nerve.Diagnostics;
using Nerve.Model;

namespace Nerve.Tests.Diagnostics;

public class GradientCheckTests
{
    public static TheoryData<OutputKind, int, ActivationKind, double> Configurations()
    {
        var data = new TheoryData<OutputKind, int, ActivationKind, double>();
        foreach (var output in Enum.GetValues<OutputKind>())
            foreach (int layers in new[] { 1, 2, 3 })
                foreach (var act in Enum.GetValues<ActivationKind>())
                    foreach (double l2 in new[] { 0.0, 0.1 })
                        data.Add(output, layers, act, l2);
        return data;
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Hand_derived_gradients_match_central_differences(OutputKind output, int layers, ActivationKind activation, double l2)
    {
        var result = GradientCheck.Run(new GradientCheckOptions { Output = output, Layers = layers, Activation = activation, L2 = l2 });
        Assert.True(result.Passed, $"norm {result.DiffNorm:E3}: " + string.Join(", ", result.Blocks.Select(b => $"{b.Name} {b.DiffNorm:E2}")));
        Assert.Equal(layers * 2 + 3 + (output == OutputKind.Crf ? 3 : 0), result.Blocks.Count);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(11, 4)]
    [InlineData(23, 5)]
    public void Per_window_and_batched_backward_agree_over_seeds(int seed, int batch)
    {
        var o = new GradientCheckOptions { Seed = seed, Windows = 12, Hidden = 7, Layers = 2, L2 = 0.01 };
        var (model, ids, labels) = GradientCheck.Setup(o);
        var all = GradientCheck.AnalyticGradient(model, ids, labels, o.L2, batch: 0);
        var split = GradientCheck.AnalyticGradient(model, ids, labels, o.L2, batch);
        for (int i = 0; i < all.Length; i++)
            Assert.Equal(all[i], split[i], 1e-12);
    }

    [Theory]
    [InlineData(OutputKind.Softmax, 2, 0.0, 0.0)]
    [InlineData(OutputKind.Crf, 3, 0.0, 0.0)]
    [InlineData(OutputKind.Softmax, 1, 0.3, 0.5)]
    [InlineData(OutputKind.Crf, 2, 0.2, 0.4)]
    [InlineData(OutputKind.Sigmoid, 2, 0.5, 0.2)]
    public void Feature_embeddings_dropout_and_the_crf_pass_the_check(OutputKind output, int extraTables, double inputDropout, double hiddenDropout)
    {
        var o = new GradientCheckOptions { Output = output, ExtraTables = extraTables, InputDropout = inputDropout, HiddenDropout = hiddenDropout, Layers = 2, Hidden = 3, L2 = 0.05, Windows = 12, SentenceLength = 4 };
        var result = GradientCheck.Run(o);
        Assert.True(result.Passed, $"norm {result.DiffNorm:E3}: " + string.Join(", ", result.Blocks.Select(b => $"{b.Name} {b.DiffNorm:E2}")));
        for (int t = 1; t <= extraTables; t++)
            Assert.Contains(result.Blocks, b => b.Name == $"L_f{t}");
    }

    [Theory]
    [InlineData(OutputKind.Softmax, false)]
    [InlineData(OutputKind.Crf, false)]
    [InlineData(OutputKind.Crf, true)]
    [InlineData(OutputKind.Sigmoid, true)]
    public void Document_tables_pass_the_check_and_both_engines_agree(OutputKind output, bool charCnn)
    {
        var o = new GradientCheckOptions { Output = output, DocContext = 3, CharCnn = charCnn, ExtraTables = 1, Layers = 2, Hidden = 3, L2 = 0.05, Windows = 12, SentenceLength = 4, InputDropout = 0.2 };
        var (model, ids, labels) = GradientCheck.Setup(o);
        var numeric = GradientCheck.NumericalGradient(model, ids, labels, o.L2, o.Epsilon, o);
        var manual = GradientCheck.AnalyticGradient(model, ids, labels, o.L2, o);
        var graph = GradientCheck.AnalyticGradient(new Nerve.Autodiff.GraphBackprop<double>(model, o.Windows), ids, labels, o.L2, o);
        var result = GradientCheck.Compare(model.Parameters, manual, numeric, o.Tolerance, 0);
        Assert.True(result.Passed, $"norm {result.DiffNorm:E3}: " + string.Join(", ", result.Blocks.Select(b => $"{b.Name} {b.DiffNorm:E2}")));
        Assert.True(GradientCheck.Compare(model.Parameters, graph, numeric, o.Tolerance, 0).Passed);
        foreach (var name in Nerve.Features.DocumentContext.Names)
        {
            var b = model.Parameters["L_" + name];
            Assert.Equal((Nerve.Features.DocumentContext.Classes, 3), (b.Rows, b.Cols));
            Assert.Contains(manual.AsSpan(b.Offset, b.Length).ToArray(), g => g != 0); // the tables are reached
        }
        for (int i = 0; i < manual.Length; i++)
            Assert.True(Math.Abs(manual[i] - graph[i]) < 1e-12, $"parameter {i}: manual {manual[i]}, graph {graph[i]}");
    }

    [Theory]
    [InlineData(1.0, 3)]   // ordinary scores
    [InlineData(120.0, 5)] // transitions and scores far apart: the scaled recursions underflow (double) or overflow
                           // (float) and those steps are redone term by term
    public void Crf_log_partition_equals_brute_force_enumeration_and_viterbi_finds_the_best_path(double range, int seed)
    {
        var rng = new Random(seed);
        int n = 5, k = 4;
        double Draw() => (rng.NextDouble() * 2 - 1) * range;
        double[] s = Enumerable.Range(0, n * k).Select(_ => Draw()).ToArray();
        double[] a = Enumerable.Range(0, k * k).Select(_ => Draw()).ToArray();
        a[1] = double.NegativeInfinity; // a forbidden transition (0 → 1)
        double[] a0 = Enumerable.Range(0, k).Select(_ => Draw() / 2).ToArray();
        double[] an = Enumerable.Range(0, k).Select(_ => Draw() / 2).ToArray();
        var paths = Paths(n, k).ToArray();
        var scores = paths.Select(path => Crf<double>.PathScore(s, a, a0, an, path, n, k)).ToArray();
        double best = scores.Max();
        double logZ = best + Math.Log(scores.Sum(v => Math.Exp(v - best)));
        var marg = new double[n * k];
        for (int q = 0; q < paths.Length; q++)
            for (int t = 0; t < n; t++) marg[t * k + paths[q][t]] += Math.Exp(scores[q] - logZ);
        var p = new double[n * k];
        double forward = Crf<double>.Forward(p, new double[n * k], new double[n * k], s, a, a0, an, [], n, k, out _);
        Assert.Equal(logZ, forward, 10);
        for (int i = 0; i < p.Length; i++) Assert.Equal(marg[i], p[i], 10);
        var decoded = new int[n];
        double v = Crf<double>.Viterbi(decoded, new double[n * k], new int[n * k], s, a, a0, an, n, k);
        Assert.Equal(best, v, 10);
        Assert.Equal(paths[Array.IndexOf(scores, best)], decoded);
        // The float recursions: log Z to float rounding of its size, marginals to 1e-4.
        float[] F(double[] x) => x.Select(d => (float)d).ToArray();
        var pf = new float[n * k];
        float forwardF = Crf<float>.Forward(pf, new float[n * k], new float[n * k], F(s), F(a), F(a0), F(an), [], n, k, out _);
        Assert.True(Math.Abs(forwardF - logZ) <= 1e-5 * (1 + Math.Abs(logZ)) + 1e-4, $"float log Z {forwardF} vs {logZ}");
        for (int i = 0; i < p.Length; i++) Assert.Equal(marg[i], pf[i], 1e-4);
    }

    private static IEnumerable<int[]> Paths(int n, int k)
    {
        int total = (int)Math.Pow(k, n);
        for (int code = 0; code < total; code++)
        {
            var p = new int[n];
            for (int t = 0, c = code; t < n; t++, c /= k) p[t] = c % k;
            yield return p;
        }
    }

    [Fact]
    public void A_wrong_gradient_is_caught()
    {
        var o = new GradientCheckOptions();
        var (model, ids, labels) = GradientCheck.Setup(o);
        var analytic = GradientCheck.AnalyticGradient(model, ids, labels, 0, 0);
        var numeric = GradientCheck.NumericalGradient(model, ids, labels, 0, o.Epsilon);
        var w = model.Parameters["W"];
        analytic[w.Offset + 3] += 1e-5; // one entry of ∂J/∂W off by 1e-5
        var result = GradientCheck.Compare(model.Parameters, analytic, numeric, o.Tolerance, 0);
        Assert.False(result.Passed);
        Assert.True(result.Blocks.Single(b => b.Name == "W").DiffNorm > 5e-6);
        Assert.True(result.Blocks.Single(b => b.Name == "U").DiffNorm < 1e-7);
    }

    [Fact]
    public void Every_embedding_row_used_by_a_window_gets_a_gradient()
    {
        var o = new GradientCheckOptions { VocabularySize = 30, Windows = 3 };
        var (model, ids, labels) = GradientCheck.Setup(o);
        var g = GradientCheck.AnalyticGradient(model, ids, labels, 0, 0);
        var l = model.Parameters["L"];
        for (int row = 0; row < o.VocabularySize; row++)
        {
            bool used = ids.Contains(row);
            bool nonzero = g.AsSpan(l.Offset + row * l.Cols, l.Cols).ToArray().Any(v => v != 0);
            Assert.Equal(used, nonzero);
        }
    }
}
