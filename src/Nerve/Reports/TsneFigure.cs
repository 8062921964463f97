using System.Globalization;

namespace Nerve.Reports;

/// <summary>
/// The t-SNE figure of <c>nerve tsne</c>: word vectors before and after training, each embedded in 2-d and drawn as a
/// scatter chart with the word as each point's tooltip and its label (e.g. majority entity type) as its colour.
/// </summary>
/// <param name="Before">Scatter of the vectors before training.</param>
/// <param name="After">Scatter of the vectors after training.</param>
/// <param name="BeforeY">t-SNE coordinates (N, 2), row-major, of the vectors before training.</param>
/// <param name="AfterY">t-SNE coordinates (N, 2) of the vectors after training.</param>
public sealed record TsneFigure(ScatterChart Before, ScatterChart After, double[] BeforeY, double[] AfterY)
{
    /// <summary>
    /// Runs t-SNE on both sets of vectors with the same options and builds the two charts. The perplexity is lowered to
    /// (N − 1)/3 when there are too few words for it. Labels are ordered ordinally in the legend, with "O" last.
    /// </summary>
    public static TsneFigure Build(IReadOnlyList<string> words, IReadOnlyList<float[]> before, IReadOnlyList<float[]> after,
        IReadOnlyList<string> labels, TsneOptions? options = null)
    {
        int n = words.Count;
        if (before.Count != n || after.Count != n || labels.Count != n)
            throw new NerveException($"t-SNE figure: {n} words, but {before.Count} vectors before, {after.Count} after and {labels.Count} labels");
        if (n < 5)
            throw new NerveException($"t-SNE figure needs at least 5 words, got {n}");
        var o = options ?? new TsneOptions();
        var used = new TsneOptions
        {
            Perplexity = Math.Max(1, Math.Min(o.Perplexity, (n - 1) / 3.0)),
            Iterations = o.Iterations,
            Seed = o.Seed,
            LearningRate = o.LearningRate,
            EarlyExaggeration = o.EarlyExaggeration,
            ExaggerationIterations = o.ExaggerationIterations,
            MomentumSwitch = o.MomentumSwitch,
            InitialMomentum = o.InitialMomentum,
            FinalMomentum = o.FinalMomentum,
            MinGain = o.MinGain,
        };
        var order = labels.Distinct().Where(l => l != "O").Order(StringComparer.Ordinal).ToList();
        if (labels.Contains("O"))
            order.Add("O");
        var yBefore = Tsne.Embed(Flatten(before, "before", out int dBefore), n, dBefore, used);
        var yAfter = Tsne.Embed(Flatten(after, "after", out int dAfter), n, dAfter, used);
        string settings = string.Create(CultureInfo.InvariantCulture, $"t-SNE of {n} words, perplexity {used.Perplexity:0.#}, seed {used.Seed}");
        return new TsneFigure(
            Scatter("Word vectors before training", settings, words, labels, yBefore, order),
            Scatter("Word vectors after training", settings, words, labels, yAfter, order),
            yBefore, yAfter);
    }

    private static ScatterChart Scatter(string title, string settings, IReadOnlyList<string> words, IReadOnlyList<string> labels,
        double[] y, IReadOnlyList<string> order)
    {
        var chart = new ScatterChart { Title = title, XLabel = settings, YLabel = "", ClassOrder = order, Width = 720, Height = 560 };
        for (int i = 0; i < words.Count; i++)
            chart.Points.Add(new ScatterPoint(y[2 * i], y[2 * i + 1], words[i] + " (" + labels[i] + ")", labels[i]));
        return chart;
    }

    private static float[] Flatten(IReadOnlyList<float[]> rows, string which, out int d)
    {
        d = rows[0].Length;
        var x = new float[rows.Count * d];
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != d)
                throw new NerveException($"t-SNE figure: vector {i} {which} training has {rows[i].Length} dimensions, vector 0 has {d}");
            rows[i].CopyTo(x, i * d);
        }
        return x;
    }
}
