using System.Text.Json;
using Nerve.Evaluation;

namespace Nerve.Tests.Evaluation;

public class EntityMetricsTests
{
    // Gold phrases: PER, LOC | LOC. Predicted: PER (too short), PER (wrong type) | LOC (correct), LOC (spurious).
    private static readonly (IReadOnlyList<string> Gold, IReadOnlyList<string> Predicted)[] Sentences =
    [
        (["B-PER", "I-PER", "O", "B-LOC"], ["B-PER", "O", "O", "B-PER"]),
        (["O", "B-LOC", "O"], ["O", "B-LOC", "B-LOC"]),
    ];

    [Fact]
    public void Fractions_match_conlleval_percentages()
    {
        var m = EntityMetrics.From(ConllEval.Evaluate(Sentences, raw: false), 1234.5);

        Assert.Equal(0.25, m.P, 12);
        Assert.Equal(1.0 / 3, m.R, 12);
        Assert.Equal(2 * 0.25 / 3 / (0.25 + 1.0 / 3), m.F, 12);
        Assert.Equal(4.0 / 7, m.TokenAccuracy, 12);
        var loc = Assert.Single(m.Types, t => t.Type == "LOC");
        Assert.Equal((0.5, 0.5, 0.5, 2L, 2L, 1L), (loc.P, loc.R, loc.F, loc.Gold, loc.Found, loc.Correct));
        var per = Assert.Single(m.Types, t => t.Type == "PER");
        Assert.Equal((0.0, 0.0, 1L, 2L), (per.P, per.R, per.Gold, per.Found));
    }

    [Fact]
    public void Json_has_spacy_keys_and_conlleval_figures()
    {
        var m = EntityMetrics.From(ConllEval.Evaluate(Sentences, raw: false), 1234.5);
        using var doc = JsonDocument.Parse(m.ToJson());
        var root = doc.RootElement;

        Assert.Equal(0.25, root.GetProperty("ents_p").GetDouble(), 12);
        Assert.Equal(1.0 / 3, root.GetProperty("ents_r").GetDouble(), 12);
        Assert.Equal(m.F, root.GetProperty("ents_f").GetDouble(), 12);
        Assert.Equal(0.5, root.GetProperty("ents_per_type").GetProperty("LOC").GetProperty("f").GetDouble(), 12);
        Assert.Equal(0.0, root.GetProperty("ents_per_type").GetProperty("PER").GetProperty("p").GetDouble());
        Assert.Equal(1234.5, root.GetProperty("speed").GetDouble());
        Assert.Equal(7, root.GetProperty("tokens").GetInt64());
        Assert.Equal(4, root.GetProperty("found_entities").GetInt64());
        Assert.Equal(25.0, root.GetProperty("conlleval").GetProperty("precision").GetDouble());
        Assert.Equal(2, root.GetProperty("conlleval").GetProperty("per_type").GetProperty("LOC").GetProperty("gold").GetInt64());
    }

    [Fact]
    public void Tables_print_percentages_per_type()
    {
        var text = EntityMetrics.From(ConllEval.Evaluate(Sentences, raw: false), 1234.5).Format();

        Assert.Contains("NER P   25.00\n", text, StringComparison.Ordinal);
        Assert.Contains("NER R   33.33\n", text, StringComparison.Ordinal);
        Assert.Contains("SPEED   1234\n", text, StringComparison.Ordinal);
        Assert.Contains("LOC     50.00    50.00    50.00        2        2\n", text, StringComparison.Ordinal);
        Assert.Contains("PER      0.00     0.00     0.00        1        2\n", text, StringComparison.Ordinal);
    }
}
