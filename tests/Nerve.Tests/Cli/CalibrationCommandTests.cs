using Nerve.Model;
using Nerve.Tagging;

namespace Nerve.Tests.Cli;

/// <summary>`nerve eval --calibration` and `nerve calibrate`, end to end.</summary>
[Trait("Category", "Acceptance")]
public sealed partial class CalibrationCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nerve-calibrate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Eval_adds_the_table_after_its_usual_output_and_calibrate_saves_the_temperature()
    {
        string dev = Path.Combine(_dir, "dev.txt");
        File.WriteAllText(dev, string.Join("\n\n", File.ReadAllText(SmallModel.Dev).Split("\n\n").Take(400)) + "\n");
        var (code, plain, _) = NerveProcess.Run(null, "eval", "--model", SmallModel.Path, "--data", dev);
        var (code2, withTable, _) = NerveProcess.Run(null, "eval", "--model", SmallModel.Path, "--data", dev, "--calibration");
        Assert.Equal(0, code);
        Assert.Equal(0, code2);
        // The existing output is unchanged, but for the measured speed (spaCy's SPEED row, words/s).
        plain = SpeedRow().Replace(plain, "SPEED");
        withTable = SpeedRow().Replace(withTable, "SPEED");
        Assert.StartsWith(plain, withTable, StringComparison.Ordinal);
        Assert.Contains("[0.9, 1.0]", withTable[plain.Length..], StringComparison.Ordinal);
        Assert.Contains("expected calibration error (ECE)", withTable[plain.Length..], StringComparison.Ordinal);

        string calibrated = Path.Combine(_dir, "calibrated.nerve");
        var (code3, output, err) = NerveProcess.Run(null, "calibrate", "--model", SmallModel.Path, "--data", dev, "--output", calibrated);
        Assert.True(code3 == 0, err);
        Assert.Contains("after:", output, StringComparison.Ordinal);
        var model = NerModel.Load(calibrated);
        Assert.NotEqual(1, model.Temperature());
        Assert.DoesNotContain("info.temperature", File.ReadAllText(SmallModel.Path), StringComparison.Ordinal); // only written when fitted
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"SPEED +\d+")]
    private static partial System.Text.RegularExpressions.Regex SpeedRow();
}
