using System.Globalization;
using Nerve.Corpus;
using Nerve.Evaluation;
using Nerve.Model;
using Nerve.Reports;
using Nerve.Tagging;

namespace Nerve.Jobs;

/// <summary>What `nerve report` does: score a model on a gold corpus and write one self-contained HTML page about it.</summary>
public sealed record ReportJobOptions
{
    public string? ModelPath { get; init; }
    public required string OutPath { get; init; }
    public CorpusFormat Format { get; init; } = CorpusFormat.Auto;
    public int? TagColumn { get; init; }
    /// <summary>conlleval -r: every non-O token is its own phrase; null scores IO models so and chunk schemes by phrase.</summary>
    public bool? Raw { get; init; }
    public int Threads { get; init; } = 1;
    public bool RepairGlued { get; init; }
    /// <summary>What starts a document besides -DOCSTART- lines (document features are computed per document).</summary>
    public Corpus.DocumentSeparator DocSep { get; init; }
    public int? CacheMb { get; init; }
    /// <summary>Phrases shown per error group, each with its sentence.</summary>
    public int Examples { get; init; } = 3;
}

/// <summary>
/// `nerve report`: overall and per-type scores (table and bars), the token confusion matrix (heatmap), the learning
/// curves of the model's training history, the reliability curve of its confidences, and the errors of each type
/// grouped by kind with their sentences in displaCy style, gold above prediction.
/// </summary>
public static class ReportJob
{
    /// <summary>Loads the model, scores it on <paramref name="gold"/> and saves the page; returns the files written.</summary>
    public static IReadOnlyList<string> Run(ReportJobOptions o, JobInput gold, IJobLog? log = null)
    {
        log ??= NullJobLog.Instance;
        var model = NerModel.Load(o.ModelPath ?? throw new NerveException("--model is required"));
        TagJob.SetCache(model, o.CacheMb);
        var corpus = JobCorpus.Read(gold, o.Format, o.TagColumn, requireTags: true, o.RepairGlued, log, o.DocSep);
        bool raw = o.Raw ?? model.Scheme == TagScheme.IO;
        var e = ModelEvaluation.Run(model, corpus.Sentences, raw, o.Threads);
        var page = Build(model, corpus.Sentences, e, Path.GetFileName(o.ModelPath), gold.Name, o with { Raw = raw });
        return page.Save(o.OutPath);
    }

    public static HtmlReport Build(NerModel model, IReadOnlyList<Sentence> gold, ModelEvaluation e, string modelName, string dataName, ReportJobOptions o)
    {
        var inv = CultureInfo.InvariantCulture;
        var r = e.Phrases;
        var page = new HtmlReport($"What {modelName} learned");
        page.Paragraph($"{modelName} on {dataName}: {gold.Count} sentences, {r.Tokens} tokens, {r.GoldPhrases} gold and {r.FoundPhrases} predicted entities. " +
            (o.Raw == true ? "Scores are conlleval's with -r (every non-O token is its own phrase, as PA4 scored IO labels); the error analysis below groups runs of one type into phrases."
                : "Phrase scores are conlleval's: a phrase counts when its span and type both match."));

        page.Heading("Scores");
        var rows = new List<IReadOnlyList<string>> { Row("all", r.Precision, r.Recall, r.F1, r.GoldPhrases, r.FoundPhrases) };
        rows.AddRange(r.Types.Select(t => Row(t.Type, t.Precision, t.Recall, t.F1, t.Gold, t.Found)));
        page.Table(["type", "precision", "recall", "F1", "gold", "found"], rows, $"Token accuracy {r.Accuracy.ToString("F2", inv)}%");
        var categories = new List<string> { "all" };
        categories.AddRange(r.Types.Select(t => t.Type));
        var bars = new BarChart(categories) { Title = "Precision, recall and F1 per type", YLabel = "%", YMin = 0, YMax = 100 };
        bars.Add("precision", [r.Precision, .. r.Types.Select(t => t.Precision)]);
        bars.Add("recall", [r.Recall, .. r.Types.Select(t => t.Recall)]);
        bars.Add("F1", [r.F1, .. r.Types.Select(t => t.F1)]);
        page.Chart(bars, "scores.svg");

        Vocabulary(page, model, gold, e, o.Raw == true);

        page.Heading("Token confusion matrix");
        var labels = e.Tokens.Labels;
        var cells = new double[labels.Count, labels.Count];
        for (int g = 0; g < labels.Count; g++)
            for (int p = 0; p < labels.Count; p++)
                cells[g, p] = e.Tokens[labels[g], labels[p]];
        page.Chart(new HeatmapChart(labels, labels, cells)
        {
            Title = "Tokens by gold tag (rows) and predicted tag (columns)", XLabel = "predicted", YLabel = "gold", ValueFormat = "0", LogColour = true,
        }, "confusion.svg");

        LearningCurves(page, TrainHistory.Read(model));
        Calibration(page, gold, e, model.Scheme);
        Errors(page, gold, e, model.Scheme, o.Examples);
        return page;
    }

    /// <summary>Coverage and the seen/unseen breakdown of eval --breakdown, when the model records its word sources.</summary>
    private static void Vocabulary(HtmlReport page, NerModel model, IReadOnlyList<Sentence> gold, ModelEvaluation e, bool raw)
    {
        page.Heading("Seen and unseen words");
        if (model.Sources is not { } sources)
        {
            page.Paragraph("The model does not record which words had vectors or occurred in training (it was saved before Nerve kept that), so there is no breakdown.");
            return;
        }
        var acc = new BreakdownAccumulator(sources, raw);
        for (int i = 0; i < gold.Count; i++) acc.Add(gold[i].Words, gold[i].Tags, e.Prediction.Tags[i]);
        var v = acc.Result();
        page.Paragraph(v.FormatCoverage().TrimEnd() + ". An entity falls in a row by its own words (as the model normalises them), gold and predicted alike.");
        page.Table(["entities", "precision", "recall", "F1", "gold", "found"],
            [.. v.Rows().Select(x => (IReadOnlyList<string>)Row(x.Name, x.Score.Precision, x.Score.Recall, x.Score.F1, x.Score.Gold, x.Score.Found))]);
    }

    private static void LearningCurves(HtmlReport page, IReadOnlyList<HistoryEpoch> history)
    {
        page.Heading("Learning curves");
        if (history.Count == 0)
        {
            page.Paragraph("The model holds no training history (it was trained before Nerve saved one).");
            return;
        }
        var epochs = history.Select(h => (double)h.Epoch).ToList();
        var f1 = new LineChart { Title = "F1 per epoch", XLabel = "epoch", YLabel = "F1 (%)" };
        f1.Add("train", epochs, [.. history.Select(h => h.TrainF1)]);
        var dev = history.Where(h => h.DevF1 is not null).ToList();
        if (dev.Count > 0)
            f1.Add("dev", [.. dev.Select(h => (double)h.Epoch)], [.. dev.Select(h => h.DevF1!.Value)]);
        page.Chart(f1, "learning-f1.svg");
        page.Chart(new LineChart { Title = "Training loss per epoch", XLabel = "epoch", YLabel = "mean loss" }
            .Add("loss", epochs, [.. history.Select(h => h.Loss)]), "learning-loss.svg");
    }

    private static void Calibration(HtmlReport page, IReadOnlyList<Sentence> gold, ModelEvaluation e, TagScheme scheme)
    {
        page.Heading("Calibration");
        var conf = e.Prediction.Confidence;
        if (conf is null || conf.Length != gold.Count || conf.Any(c => c is null || c.Any(v => !float.IsFinite(v))))
        {
            page.Paragraph("The model gives no confidences, so there is no calibration curve.");
            return;
        }
        var bins = Reliability.Bins([.. gold.Select(s => (IReadOnlyList<string>)s.Tags)], [.. e.Prediction.Tags],
            [.. conf.Select(c => (IReadOnlyList<float>)c)], scheme);
        var used = bins.Where(b => b.Count > 0).ToList();
        if (used.Count == 0)
        {
            page.Paragraph("No entity was predicted, so there is no calibration curve.");
            return;
        }
        page.Paragraph(string.Create(CultureInfo.InvariantCulture,
            $"Each predicted entity's confidence is the mean of its tokens'. A calibrated model lies on the diagonal. Expected calibration error: {100 * Reliability.ExpectedError(bins):F2} points."));
        var chart = new LineChart { Title = "Reliability of predicted entities", XLabel = "mean confidence", YLabel = "precision", YMin = 0, YMax = 1 };
        chart.Add("calibrated", [0.0, 1.0], [0.0, 1.0]);
        chart.Add("model", [.. used.Select(b => b.MeanConfidence)], [.. used.Select(b => b.Precision)]);
        page.Chart(chart, "calibration.svg");
        page.Table(["confidence", "entities", "mean confidence", "precision"],
            used.Select(b => (IReadOnlyList<string>)[string.Create(CultureInfo.InvariantCulture, $"{b.Lower:0.0}–{b.Upper:0.0}"),
                b.Count.ToString(CultureInfo.InvariantCulture), b.MeanConfidence.ToString("F3", CultureInfo.InvariantCulture), b.Precision.ToString("F3", CultureInfo.InvariantCulture)]));
    }

    private static void Errors(HtmlReport page, IReadOnlyList<Sentence> gold, ModelEvaluation e, TagScheme scheme, int examples)
    {
        page.Heading("Errors");
        var goldTags = gold.Select(s => (IReadOnlyList<string>)s.Tags).ToList();
        var errors = ErrorAnalysis.Find(goldTags, [.. e.Prediction.Tags], scheme);
        if (errors.Count == 0)
        {
            page.Paragraph("No phrase is wrong.");
            return;
        }
        page.Paragraph("A false positive is a predicted entity that gold does not have; a false negative a gold entity that was not predicted. " +
            "Each is grouped by what it was confused with: another type on the same span, an overlapping entity with other boundaries, nothing (missed), or no gold entity (spurious).");
        string Text(EntityError x) => string.Join(' ', gold[x.Sentence].Words.Skip(x.Span.Start).Take(x.Span.Length));
        foreach (var type in errors.Select(x => x.Span.Type).Distinct().Order(StringComparer.Ordinal))
        {
            page.Heading(type, 3);
            foreach (bool fp in new[] { true, false })
            {
                var groups = ErrorAnalysis.Group(errors, type, fp, Text, examples);
                if (groups.Count == 0) continue;
                page.Table(["confused with", "count", "most frequent phrases"],
                    groups.Select(g => (IReadOnlyList<string>)[Describe(g), g.Count.ToString(CultureInfo.InvariantCulture),
                        string.Join(", ", g.Phrases.Select(p => $"{p.Text} ×{p.Count}"))]),
                    $"{(fp ? "False positives" : "False negatives")} of {type}: {groups.Sum(g => g.Count)}");
                foreach (var g in groups)
                    foreach (var (text, count, first) in g.Phrases)
                        page.Entities(
                        [
                            ("gold", gold[first.Sentence].Words, Marks(gold[first.Sentence].Tags, scheme)),
                            ("predicted", gold[first.Sentence].Words, Marks(e.Prediction.Tags[first.Sentence], scheme)),
                        ], $"{Describe(g)}: \"{text}\" ({count}×)");
            }
        }
    }

    private static string Describe(ErrorGroup g) => g.Kind switch
    {
        ErrorKind.WrongType => "wrong type (" + g.Other + ")",
        ErrorKind.WrongBoundary => "wrong boundary (" + g.Other + ")",
        ErrorKind.Missed => "missed",
        _ => "spurious",
    };

    private static MarkedSpan[] Marks(IReadOnlyList<string> tags, TagScheme scheme)
        => [.. Tags.ToSpans(tags, scheme).Select(s => new MarkedSpan(s.Start, s.End, s.Type))];

    private static string[] Row(string type, double p, double r, double f, long gold, long found)
        => [type, p.ToString("F2", CultureInfo.InvariantCulture), r.ToString("F2", CultureInfo.InvariantCulture), f.ToString("F2", CultureInfo.InvariantCulture),
            gold.ToString(CultureInfo.InvariantCulture), found.ToString(CultureInfo.InvariantCulture)];
}
