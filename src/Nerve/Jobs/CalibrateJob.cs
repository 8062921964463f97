using System.Globalization;
using Nerve.Corpus;
using Nerve.Evaluation;
using Nerve.Model;
using Nerve.Tagging;

namespace Nerve.Jobs;

/// <summary>What `nerve calibrate` does (`nerve eval --calibration` measures through <see cref="EvalJob.Measure"/>).</summary>
public sealed record CalibrateJobOptions
{
    /// <summary>The model file.</summary>
    public string? ModelPath { get; init; }

    /// <summary>The column layout of the gold corpus.</summary>
    public CorpusFormat Format { get; init; } = CorpusFormat.Auto;

    /// <summary>1-based column holding the tag (default: the last).</summary>
    public int? TagColumn { get; init; }

    /// <summary>Split POS tags glued to the word, with a warning for each.</summary>
    public bool RepairGlued { get; init; }
    /// <summary>What starts a document besides -DOCSTART- lines (document features are computed per document).</summary>
    public Corpus.DocumentSeparator DocSep { get; init; }

    /// <summary>Where <see cref="CalibrateJob.Fit"/> saves the model with its fitted temperature.</summary>
    public string? OutputPath { get; init; }

    /// <summary>Skip the model file's SHA-256 check.</summary>
    public bool NoVerify { get; init; }
}

/// <summary>The entity calibration of a model on a gold corpus, and the temperature that improves it.</summary>
/// <param name="Before">The reliability table with the model as it was.</param>
/// <param name="After">The table at the fitted temperature.</param>
/// <param name="Temperature">The fitted temperature T.</param>
public sealed record CalibrateJobResult(ReliabilityTable Before, ReliabilityTable After, double Temperature);

/// <summary>Reliability tables of entity scores (<see cref="Calibration"/>) and temperature scaling fitted on dev.</summary>
public static class CalibrateJob
{
    /// <summary>
    /// Fits T on <paramref name="gold"/> (<see cref="Calibration.FitTemperature"/>) and saves the model with it to
    /// <see cref="CalibrateJobOptions.OutputPath"/> (its metadata gains <c>info.temperature</c>; nothing else changes).
    /// </summary>
    public static CalibrateJobResult Fit(CalibrateJobOptions o, JobInput gold, IJobLog? log = null)
    {
        if (string.IsNullOrEmpty(o.OutputPath)) throw new NerveException("--output is required: where to save the calibrated model");
        var modelPath = o.ModelPath ?? throw new NerveException("--model is required");
        IO.InputFile.Check(modelPath, "model file");
        gold.CheckExists();
        IO.AtomicFile.CheckTarget(o.OutputPath, "--output", (modelPath, "--model"), (gold.Path, "--data"));
        var (model, sentences) = Load(o, gold, log);
        model.Info.Remove(Recognition.TemperatureKey);
        var before = Calibration.Measure(model, sentences);
        var (t, nllBefore, nllAfter) = Calibration.FitTemperature(model, sentences);
        model.Info[Recognition.TemperatureKey] = t.ToString("R", CultureInfo.InvariantCulture);
        var after = Calibration.Measure(model, sentences);
        log?.Info(FormattableString.Invariant($"temperature {t:F4}: entity NLL {nllBefore:F1} → {nllAfter:F1}, ECE {before.Ece:F4} → {after.Ece:F4}"));
        model.Save(o.OutputPath);
        return new CalibrateJobResult(before, after, t);
    }

    private static (NerModel, IReadOnlyList<Sentence>) Load(CalibrateJobOptions o, JobInput gold, IJobLog? log)
    {
        var model = NerModel.Load(o.ModelPath ?? throw new NerveException("--model is required"), verify: !o.NoVerify);
        var corpus = JobCorpus.Read(gold, o.Format, o.TagColumn, requireTags: true, o.RepairGlued, log ?? NullJobLog.Instance, o.DocSep);
        return (model, corpus.Sentences);
    }
}
