using System.Globalization;
using System.Text;

namespace Nerve.Evaluation;

/// <summary>
/// Token-level confusion between tags: rows are gold tags, columns predicted tags, in a fixed label order.
/// Labels met that are not in the order given are appended in order of first appearance.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly List<string> _labels = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<List<long>> _counts = []; // [gold][predicted], square

    public ConfusionMatrix(IEnumerable<string> labels)
    {
        foreach (var label in labels)
            IndexOf(label);
    }

    /// <summary>
    /// Counts every token of the sentences. Without <paramref name="labels"/> the order is "O" first,
    /// then all other tags of gold and predictions in ordinal order.
    /// </summary>
    public static ConfusionMatrix Build(IEnumerable<(IReadOnlyList<string> Gold, IReadOnlyList<string> Predicted)> sentences,
        IEnumerable<string>? labels = null)
    {
        var list = sentences.ToList();
        if (labels is null)
        {
            var seen = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var (gold, predicted) in list)
            {
                seen.UnionWith(gold);
                seen.UnionWith(predicted);
            }
            labels = seen.Remove("O") ? seen.Prepend("O") : seen;
        }
        var matrix = new ConfusionMatrix(labels);
        foreach (var (gold, predicted) in list)
        {
            if (gold.Count != predicted.Count)
                throw new ArgumentException($"a sentence has {gold.Count} gold but {predicted.Count} predicted tags", nameof(sentences));
            for (int i = 0; i < gold.Count; i++)
                matrix.Add(gold[i], predicted[i]);
        }
        return matrix;
    }

    public IReadOnlyList<string> Labels => _labels;

    /// <summary>Number of tokens counted.</summary>
    public long Total { get; private set; }

    /// <summary>Tokens with gold tag <paramref name="gold"/> predicted as <paramref name="predicted"/>.</summary>
    public long this[string gold, string predicted] =>
        _index.TryGetValue(gold, out int g) && _index.TryGetValue(predicted, out int p) ? _counts[g][p] : 0;

    public void Add(string gold, string predicted) => Add(gold, predicted, 1);

    /// <summary>Counts <paramref name="count"/> tokens of gold <paramref name="gold"/> predicted as <paramref name="predicted"/>.</summary>
    public void Add(string gold, string predicted, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int g = IndexOf(gold), p = IndexOf(predicted);
        _counts[g][p] += count;
        Total += count;
    }

    /// <summary>Tokens whose gold tag is <paramref name="label"/> (its row sum).</summary>
    public long GoldCount(string label) => _index.TryGetValue(label, out int g) ? _counts[g].Sum() : 0;

    /// <summary>Tokens predicted as <paramref name="label"/> (its column sum).</summary>
    public long PredictedCount(string label) => _index.TryGetValue(label, out int p) ? _counts.Sum(row => row[p]) : 0;

    /// <summary>Percent of tokens predicted as <paramref name="label"/> that are gold <paramref name="label"/>; 0 when none was predicted.</summary>
    public double Precision(string label)
    {
        long predicted = PredictedCount(label);
        return predicted > 0 ? 100.0 * this[label, label] / predicted : 0.0;
    }

    /// <summary>Percent of gold <paramref name="label"/> tokens predicted as <paramref name="label"/>; 0 when there are none.</summary>
    public double Recall(string label)
    {
        long gold = GoldCount(label);
        return gold > 0 ? 100.0 * this[label, label] / gold : 0.0;
    }

    /// <summary>
    /// A right-aligned plain-text table: a header of predicted labels, then per gold label its counts,
    /// the label's token precision and recall in percent ("-" when undefined).
    /// </summary>
    public string Format()
    {
        const string corner = "gold\\predicted";
        const string precisionHeader = "precision";
        const string recallHeader = "recall";
        int n = _labels.Count;
        var cells = new string[n][];
        var widths = new int[n];
        for (int p = 0; p < n; p++)
            widths[p] = _labels[p].Length;
        for (int g = 0; g < n; g++)
        {
            cells[g] = new string[n];
            for (int p = 0; p < n; p++)
            {
                cells[g][p] = _counts[g][p].ToString(CultureInfo.InvariantCulture);
                widths[p] = Math.Max(widths[p], cells[g][p].Length);
            }
        }
        int firstWidth = Math.Max(corner.Length, _labels.Count == 0 ? 0 : _labels.Max(l => l.Length));

        var sb = new StringBuilder();
        sb.Append(corner.PadRight(firstWidth));
        for (int p = 0; p < n; p++)
            sb.Append("  ").Append(_labels[p].PadLeft(widths[p]));
        sb.Append("  ").Append(precisionHeader).Append("  ").Append(recallHeader).Append('\n');
        for (int g = 0; g < n; g++)
        {
            var label = _labels[g];
            sb.Append(label.PadRight(firstWidth));
            for (int p = 0; p < n; p++)
                sb.Append("  ").Append(cells[g][p].PadLeft(widths[p]));
            sb.Append("  ").Append(Percent(PredictedCount(label), Precision(label)).PadLeft(precisionHeader.Length));
            sb.Append("  ").Append(Percent(GoldCount(label), Recall(label)).PadLeft(recallHeader.Length));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string Percent(long denominator, double value) => denominator > 0 ? CFormat.Fixed(value, 2) : "-";

    private int IndexOf(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (_index.TryGetValue(label, out int i))
            return i;
        i = _labels.Count;
        _labels.Add(label);
        _index.Add(label, i);
        foreach (var row in _counts)
            row.Add(0);
        _counts.Add([.. new long[i + 1]]);
        return i;
    }
}
