using Nerve.Reports;

namespace Nerve.Tests.Reports;

public class TsneTests
{
    /// <summary>k Gaussian clusters in d dimensions: centres ~ N(0, spread²), points ~ N(centre, 1). Row-major.</summary>
    internal static (float[] X, int[] Labels) Clusters(int k, int perCluster, int d, double spread, int seed)
    {
        var rng = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var centres = new double[k * d];
        for (int i = 0; i < centres.Length; i++)
            centres[i] = spread * Normal();
        int n = k * perCluster;
        var x = new float[n * d];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % k; // interleaved, so the order says nothing about the cluster
            for (int j = 0; j < d; j++)
                x[i * d + j] = (float)(centres[labels[i] * d + j] + Normal());
        }
        return (x, labels);
    }

    /// <summary>Fraction of points whose nearest other point in the 2-d embedding has the same label.</summary>
    private static double NearestNeighbourAgreement(double[] y, int[] labels)
    {
        int n = labels.Length, agree = 0;
        for (int i = 0; i < n; i++)
        {
            int best = -1;
            double bestD = double.MaxValue;
            for (int j = 0; j < n; j++)
            {
                if (j == i)
                    continue;
                double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1], dd = dx * dx + dy * dy;
                if (dd < bestD)
                    (bestD, best) = (dd, j);
            }
            if (labels[best] == labels[i])
                agree++;
        }
        return (double)agree / n;
    }

    [Fact]
    public void Well_separated_gaussian_clusters_stay_separated()
    {
        var (x, labels) = Clusters(k: 5, perCluster: 60, d: 50, spread: 5, seed: 42);

        var y = Tsne.Embed(x, 300, 50, new TsneOptions { Seed = 7 });

        Assert.Equal(600, y.Length);
        Assert.All(y, v => Assert.True(double.IsFinite(v)));
        Assert.True(NearestNeighbourAgreement(y, labels) >= 0.95, $"agreement {NearestNeighbourAgreement(y, labels)}");
        // The embedding has spread out from its 1e-4 initialisation.
        Assert.True(y.Max() - y.Min() > 10);
    }

    [Fact]
    public void The_same_seed_gives_the_same_output_and_another_seed_another()
    {
        var (x, _) = Clusters(k: 3, perCluster: 20, d: 10, spread: 3, seed: 1);
        var o = new TsneOptions { Perplexity = 10, Iterations = 300, Seed = 3 };

        var a = Tsne.Embed(x, 60, 10, o);
        var b = Tsne.Embed(x, 60, 10, o);
        o.Seed = 4;
        var c = Tsne.Embed(x, 60, 10, o);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Each_row_is_calibrated_to_the_requested_perplexity()
    {
        var (x, _) = Clusters(k: 4, perCluster: 15, d: 8, spread: 4, seed: 5);
        const int n = 60, d = 8;
        foreach (double perplexity in new[] { 5.0, 20.0 })
        {
            var p = new double[n * n];
            var dist = new double[n];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double s = 0;
                    for (int k = 0; k < d; k++)
                        s += ((double)x[i * d + k] - x[j * d + k]) * ((double)x[i * d + k] - x[j * d + k]);
                    dist[j] = s;
                }
                var row = p.AsSpan(i * n, n);
                Tsne.Conditional(dist, i, perplexity, row);

                double h = 0, sum = 0;
                foreach (double v in row)
                {
                    sum += v;
                    if (v > 0)
                        h -= v * Math.Log(v);
                }
                Assert.Equal(0, row[i]);
                Assert.Equal(1, sum, 12);
                Assert.Equal(perplexity, Math.Exp(h), perplexity * 1e-4);
            }
        }
    }

    [Fact]
    public void The_joint_affinities_are_symmetric_and_sum_to_one()
    {
        var (x, _) = Clusters(k: 2, perCluster: 10, d: 4, spread: 2, seed: 9);
        var p = new double[20 * 20];

        Tsne.Affinities(x, 20, 4, 5, p);

        Assert.Equal(1, p.Sum(), 12);
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(0, p[i * 20 + i]);
            for (int j = 0; j < 20; j++)
                Assert.Equal(p[i * 20 + j], p[j * 20 + i]);
        }
    }

    [Fact]
    public void The_gradient_matches_finite_differences_of_the_kl_divergence()
    {
        const int n = 6;
        var (x, _) = Clusters(k: 2, perCluster: 3, d: 3, spread: 2, seed: 11);
        var p = new double[n * n];
        Tsne.Affinities(x, n, 3, 2, p);
        var rng = new Random(13);
        var y = Enumerable.Range(0, 2 * n).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
        var grad = new double[2 * n];

        Tsne.Gradient(p, n, y, 1, grad, new double[3 * n]);

        const double h = 1e-5;
        double worst = 0;
        for (int k = 0; k < 2 * n; k++)
        {
            double keep = y[k];
            y[k] = keep + h;
            double plus = Tsne.Cost(p, n, y);
            y[k] = keep - h;
            double minus = Tsne.Cost(p, n, y);
            y[k] = keep;
            double numeric = (plus - minus) / (2 * h);
            worst = Math.Max(worst, Math.Abs(numeric - grad[k]) / Math.Max(1e-3, Math.Abs(numeric) + Math.Abs(grad[k])));
        }
        Assert.True(worst < 1e-6, $"max relative difference {worst:G3}");
        Assert.True(grad.Max(Math.Abs) > 1e-3); // a real gradient, not a trivially zero one
    }

    [Theory]
    [InlineData(7, 1.0)]
    [InlineData(8, 12.0)]
    [InlineData(13, 1.0)]
    public void The_vectorised_gradient_matches_the_scalar_reference(int n, double exaggeration)
    {
        var (x, _) = Clusters(k: 2, perCluster: n, d: 3, spread: 2, seed: n);
        var p = new double[n * n];
        Tsne.Affinities(x.AsSpan(0, n * 3), n, 3, 2, p);
        var rng = new Random(n);
        var y = Enumerable.Range(0, 2 * n).Select(_ => rng.NextDouble() * 10 - 5).ToArray();
        var fast = new double[2 * n];
        var reference = new double[2 * n];

        Tsne.Gradient(p, n, y, exaggeration, fast, new double[3 * n]);
        Tsne.GradientReference(p, n, y, exaggeration, reference);

        for (int k = 0; k < 2 * n; k++)
            Assert.Equal(reference[k], fast[k], 1e-12);
    }

    [Fact]
    public void Bad_input_is_a_nerve_exception()
    {
        Assert.Throws<NerveException>(() => Tsne.Embed(new float[10], 5, 3));
        Assert.Throws<NerveException>(() => Tsne.Embed(new float[10 * 2], 10, 2, new TsneOptions { Perplexity = 9 }));
        Assert.Throws<NerveException>(() => Tsne.Embed(new float[(Tsne.MaxPoints + 1) * 2], Tsne.MaxPoints + 1, 2));
    }

    [Fact]
    public void The_figure_has_a_before_and_an_after_scatter_with_words_as_tooltips()
    {
        var (before, labels) = Clusters(k: 3, perCluster: 8, d: 6, spread: 0.3, seed: 2);
        var (after, _) = Clusters(k: 3, perCluster: 8, d: 6, spread: 6, seed: 2);
        string[] types = ["LOC", "O", "PER"];
        var words = Enumerable.Range(0, 24).Select(i => "w" + i + (i == 0 ? "<&>" : "")).ToList();
        var rows = (float[] x) => Enumerable.Range(0, 24).Select(i => x.AsSpan(i * 6, 6).ToArray()).ToList();

        var fig = TsneFigure.Build(words, rows(before), rows(after), [.. labels.Select(l => types[l])], new TsneOptions { Iterations = 300 });

        Assert.Equal(48, fig.AfterY.Length);
        Assert.Equal(["LOC", "PER", "O"], fig.After.Classes());
        Assert.Equal(24, fig.Before.Points.Count);
        Assert.Equal("w0<&> (LOC)", fig.After.Points[0].Label);
        var svg = System.Xml.Linq.XElement.Parse(fig.After.ToSvg());
        Assert.Equal(24, svg.Descendants().Count(e => (string?)e.Attribute("class") == "point"));
        Assert.Equal(fig.After.ToSvg(), TsneFigure.Build(words, rows(before), rows(after), [.. labels.Select(l => types[l])], new TsneOptions { Iterations = 300 }).After.ToSvg());
        Assert.Throws<NerveException>(() => TsneFigure.Build(words, rows(before), rows(after)[..3], [.. labels.Select(l => types[l])]));
    }
}
