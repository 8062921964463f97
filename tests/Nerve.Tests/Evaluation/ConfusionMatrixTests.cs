using System.Globalization;
using Nerve.Evaluation;

namespace Nerve.Tests.Evaluation;

public class ConfusionMatrixTests
{
    private static readonly (IReadOnlyList<string> Gold, IReadOnlyList<string> Predicted)[] Sentences =
    [
        (["B-PER", "I-PER", "O", "B-LOC"], ["B-PER", "O", "O", "B-PER"]),
        (["O", "B-LOC", "O"], ["O", "B-LOC", "B-LOC"]),
    ];

    [Fact]
    public void Counts_tokens_by_gold_and_predicted_tag()
    {
        var m = ConfusionMatrix.Build(Sentences);

        Assert.Equal(["O", "B-LOC", "B-PER", "I-PER"], m.Labels);
        Assert.Equal(7, m.Total);
        Assert.Equal(2, m["O", "O"]);
        Assert.Equal(1, m["O", "B-LOC"]);
        Assert.Equal(1, m["I-PER", "O"]);
        Assert.Equal(1, m["B-LOC", "B-PER"]);
        Assert.Equal(1, m["B-LOC", "B-LOC"]);
        Assert.Equal(1, m["B-PER", "B-PER"]);
        Assert.Equal(0, m["B-PER", "O"]);
        Assert.Equal(0, m["B-PER", "MISC"]);
        Assert.Equal(50.0, m.Precision("B-LOC"));
        Assert.Equal(50.0, m.Recall("B-LOC"));
        Assert.Equal(100.0, m.Recall("B-PER"));
        Assert.Equal(0.0, m.Precision("I-PER"));
    }

    [Fact]
    public void A_given_label_order_is_kept_and_unknown_labels_are_appended()
    {
        var m = ConfusionMatrix.Build(Sentences, ["O", "B-PER", "I-PER", "B-MISC"]);

        Assert.Equal(["O", "B-PER", "I-PER", "B-MISC", "B-LOC"], m.Labels);
        Assert.Equal(0, m.GoldCount("B-MISC"));
        Assert.Equal(2, m.PredictedCount("B-PER"));
    }

    [Fact]
    public void The_table_has_a_row_per_gold_label_and_its_counts_sum_to_the_tokens()
    {
        var m = ConfusionMatrix.Build(Sentences);
        var lines = m.Format().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(1 + m.Labels.Count, lines.Length);
        Assert.Equal(["gold\\predicted", "O", "B-LOC", "B-PER", "I-PER", "precision", "recall"],
            lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        long sum = 0;
        for (int g = 0; g < m.Labels.Count; g++)
        {
            var cells = lines[g + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(m.Labels[g], cells[0]);
            Assert.Equal(1 + m.Labels.Count + 2, cells.Length);
            sum += cells[1..^2].Sum(c => long.Parse(c, CultureInfo.InvariantCulture));
        }
        Assert.Equal(7, sum);
        // Columns are aligned: every line has the header's length.
        Assert.All(lines, l => Assert.Equal(lines[0].Length, l.Length));
        Assert.Equal("gold\\predicted  O  B-LOC  B-PER  I-PER  precision  recall", lines[0]);
        Assert.Equal("B-LOC           0      1      1      0      50.00   50.00", lines[2]);
        Assert.Equal("I-PER           1      0      0      0          -    0.00", lines[4]);
    }
}
