using Nerve.Corpus;
using Nerve.Evaluation;
using Nerve.Model;
using Nerve.Tagging;

namespace Nerve.Tests.Evaluation;

/// <summary>Reliability tables and ECE of entity scores, and temperature scaling (<see cref="Calibration"/>).</summary>
public class CalibrationTests
{
    [Fact]
    public void Ece_of_a_hand_made_example()
    {
        // Bin [0, 0.1): 0.05 wrong → |0 − 0.05|; bin [0.1, 0.2): 0.15 wrong → |0 − 0.15|;
        // bin [0.9, 1]: 0.95 ✓, 0.95 ✓, 0.92 ✗, 1.0 ✓ → mean 0.955, precision 0.75 → 0.205.
        // ECE = (0.05 + 0.15 + 4 · 0.205) / 6 = 0.17.
        var table = Calibration.Reliability([(0.05, false), (0.15, false), (0.95, true), (0.95, true), (0.92, false), (1.0, true)]);
        Assert.Equal(6, table.Count);
        Assert.Equal(0.17, table.Ece, 12);
        Assert.Equal(10, table.Bins.Count);
        Assert.Equal(4, table.Bins[9].Count);
        Assert.Equal(0.955, table.Bins[9].MeanConfidence, 12);
        Assert.Equal(0.75, table.Bins[9].Precision, 12);
        Assert.All(table.Bins.Skip(2).Take(7), b => Assert.Equal(0, b.Count));
        Assert.Equal(0.025, Calibration.Reliability([(1.0, true), (0.95, true)]).Ece, 12); // |1 − 0.975|
        Assert.Contains("expected calibration error (ECE) over 6 entities: 0.1700", table.Format(), StringComparison.Ordinal);
    }

    [Fact]
    public void Outcomes_count_a_predicted_entity_correct_only_with_the_gold_span_and_type()
    {
        var gold = new Sentence(["Bill", "Clinton", "in", "Bonn"], ["I-PER", "I-PER", "O", "I-LOC"]);
        var predicted = new SentenceAnnotation(["I-PER", "O", "O", "I-ORG"], [0.9f, 0.8f, 0.9f, 0.6f], [new ScoredSpan(0, 1, "PER", 0.7), new ScoredSpan(3, 4, "ORG", 0.6)]);
        Assert.Equal([(0.7, false), (0.6, false)], Calibration.Outcomes([gold], [predicted]));
        var right = predicted with { Entities = [new ScoredSpan(0, 2, "PER", 0.9), new ScoredSpan(3, 4, "LOC", 0.5)] };
        Assert.Equal([(0.9, true), (0.5, true)], Calibration.Outcomes([gold], [right]));
    }

    [Fact]
    [Trait("Category", "Acceptance")]
    public void Precision_rises_with_the_score_on_dev_and_a_fitted_temperature_lowers_the_nll()
    {
        var model = SmallModel.Model;
        var dev = CorpusReader.Read(SmallModel.Dev).Sentences;
        var table = Calibration.Measure(model, dev);
        Assert.True(table.Count > 5000, $"{table.Count} entities");
        var supported = table.Bins.Where(b => b.Count >= 100).ToList();
        Assert.True(supported.Count >= 5, $"{supported.Count} bins with support");
        for (int b = 1; b < supported.Count; b++)
            Assert.True(supported[b].Precision >= supported[b - 1].Precision, "precision falls from bin " + supported[b - 1] + " to " + supported[b] + "\n" + table.Format());
        Assert.True(table.Ece < 0.15, table.Format());

        var (t, before, after) = Calibration.FitTemperature(model, dev);
        Assert.InRange(t, 0.125, 8);
        Assert.True(after <= before, $"NLL {before} → {after} at T = {t}");
        // Applied through the model's metadata: the tags stay, the scores move.
        var copy = NerModel.Load(SmallModel.Path);
        Assert.Equal(1, copy.Temperature());
        copy.Info[Recognition.TemperatureKey] = t.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        var plain = model.Annotate(dev.Take(200).ToList());
        var scaled = copy.Annotate(dev.Take(200).ToList());
        Assert.Equal(plain.Select(a => a.Tags), scaled.Select(a => a.Tags));
        if (Math.Abs(t - 1) > 0.01) Assert.NotEqual(plain.SelectMany(a => a.Entities.Select(e => e.Score)), scaled.SelectMany(a => a.Entities.Select(e => e.Score)));
        Assert.True(Calibration.Measure(copy, dev).Ece <= table.Ece + 0.01);
    }
}
