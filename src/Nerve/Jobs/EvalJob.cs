using Nerve.Corpus;
using Nerve.Evaluation;
using Nerve.Model;
using Nerve.Tagging;

namespace Nerve.Jobs;

/// <summary>What `nerve eval` does: tag a gold corpus with a model and score it.</summary>
public sealed record EvalJobOptions
{
    public string? ModelPath { get; init; }
    public CorpusFormat Format { get; init; } = CorpusFormat.Auto;
    public int? TagColumn { get; init; }
    /// <summary>conlleval -r: every non-O token is its own phrase (how PA4 scored IO labels).</summary>
    public bool Raw { get; init; }
    public int Threads { get; init; } = 1;
    public bool RepairGlued { get; init; }
    /// <summary>What starts a document besides -DOCSTART- lines (document features are computed per document).</summary>
    public Corpus.DocumentSeparator DocSep { get; init; }
    /// <summary>MB of first-layer products cached while tagging; null keeps the model's default.</summary>
    public int? CacheMb { get; init; }
    /// <summary>Skip the model file's SHA-256 check.</summary>
    public bool NoVerify { get; init; }
    /// <summary>Where <see cref="EvalJob.Measure"/> writes metrics.json (spaCy's keys plus ours); null writes none.</summary>
    public string? JsonPath { get; init; }
    /// <summary><see cref="EvalJob.Measure"/> also tabulates the calibration of the entity scores (<see cref="Calibration"/>).</summary>
    public bool MeasureCalibration { get; init; }
    /// <summary><see cref="EvalJob.Measure"/> also scores entities by whether their words were seen in training or have a vector.</summary>
    public bool Breakdown { get; init; }
    /// <summary>A gold tag its scheme does not allow where it stands (I- after O in IOB2) is an error, not a warning.</summary>
    public bool StrictScheme { get; init; }
}

/// <summary>What <see cref="EvalJob.Measure"/> found: the evaluation, spaCy's metrics, and the calibration if asked for.</summary>
public sealed record EvalJobResult(EvalScores Evaluation, EntityMetrics Metrics, ReliabilityTable? Calibration)
{
    /// <summary>Vocabulary coverage and, if asked, the seen/unseen breakdown; null when the model does not record its word sources.</summary>
    public VocabularyBreakdown? Vocabulary { get; init; }
}

/// <summary>The conlleval phrase scores and the token confusion matrix of a streamed evaluation (<see cref="EvaluationTally"/>).</summary>
public sealed record EvalScores(ConllEvalResult Phrases, ConfusionMatrix Tokens);

/// <summary>Scoring jobs: a model on a gold corpus, and the conlleval script on tagged lines.</summary>
public static class EvalJob
{
    /// <summary>Loads <see cref="EvalJobOptions.ModelPath"/> and scores it on <paramref name="gold"/>.</summary>
    public static ModelEvaluation Run(EvalJobOptions o, JobInput gold, IJobLog? log = null) => Run(Load(o, gold), o, gold, log);

    /// <summary>Checks the options, the inputs and the --json target, then loads the model (before any work).</summary>
    private static NerModel Load(EvalJobOptions o, JobInput gold)
    {
        if (o.Threads < 1) throw new NerveException($"--threads must be ≥ 1, found {o.Threads}");
        var path = o.ModelPath ?? throw new NerveException("--model is required");
        IO.InputFile.Check(path, "model file");
        gold.CheckExists();
        if (o.JsonPath is not null) IO.AtomicFile.CheckTarget(o.JsonPath, "--json", (path, "--model"), (gold.Path, "--data"));
        var model = NerModel.Load(path, verify: !o.NoVerify);
        TagJob.SetCache(model, o.CacheMb);
        return model;
    }

    /// <summary>Scores a loaded model on <paramref name="gold"/>: the conlleval phrase scores and the token confusion matrix.</summary>
    public static ModelEvaluation Run(NerModel model, EvalJobOptions o, JobInput gold, IJobLog? log = null)
        => ModelEvaluation.Run(model, ReadGold(model, o, gold, log ?? NullJobLog.Instance), o.Raw, o.Threads);

    /// <summary>The gold sentences, their scheme checked, with a note when IO labels are scored without --raw.</summary>
    private static IReadOnlyList<Sentence> ReadGold(NerModel model, EvalJobOptions o, JobInput gold, IJobLog log)
    {
        var corpus = JobCorpus.Read(gold, o.Format, o.TagColumn, requireTags: true, o.RepairGlued, log, o.DocSep);
        JobCorpus.CheckScheme(corpus, Tags.Detect(corpus.Sentences.Select(s => (IReadOnlyList<string>)s.Tags)), o.StrictScheme, log);
        if (!o.Raw && model.Scheme == TagScheme.IO)
            log.Note("the model's labels are IO; conlleval finds no phrases in IO labels without --raw");
        return corpus.Sentences;
    }

    /// <summary>
    /// <see cref="Run(EvalJobOptions, JobInput, IJobLog?)"/> timed and streamed: the gold corpus is read, tagged and
    /// scored a batch of whole documents at a time (<see cref="JobCorpus.Stream"/>, <see cref="EvaluationTally"/>), so
    /// memory stays bounded by the model and a batch whatever the input's size, with the scores of one pass over all of
    /// it. spaCy's metrics with words/s over reading, tagging and scoring (not loading the model); writes
    /// <see cref="EvalJobOptions.JsonPath"/> when it is set, and with <see cref="EvalJobOptions.MeasureCalibration"/>
    /// adds the reliability table of the same model on the same sentences (input read once, so standard input works too).
    /// </summary>
    public static EvalJobResult Measure(EvalJobOptions o, JobInput gold, IJobLog? log = null)
    {
        var model = Load(o, gold);
        log ??= NullJobLog.Instance;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var tally = new EvaluationTally(model, o.Raw);
        var calibration = o.MeasureCalibration ? new CalibrationTally(model) : null;
        var vocabulary = model.Sources is { } sources ? new BreakdownAccumulator(sources, o.Raw) : null;
        JobCorpus.Stream(gold, o.Format, o.TagColumn, o.RepairGlued, o.StrictScheme, log, separator: o.DocSep, batch: batch =>
        {
            var prediction = tally.Add(batch, o.Threads);
            calibration?.Add(batch);
            for (int i = 0; vocabulary is not null && i < batch.Count; i++)
                vocabulary.Add(batch[i].Words, batch[i].Tags, prediction.Tags[i]);
        });
        if (!o.Raw && model.Scheme == TagScheme.IO)
            log.Note("the model's labels are IO; conlleval finds no phrases in IO labels without --raw");
        var (phrases, tokens) = tally.Result();
        var metrics = EntityMetrics.From(phrases, phrases.Tokens / Math.Max(watch.Elapsed.TotalSeconds, 1e-9));
        var breakdown = vocabulary?.Result();
        if (o.JsonPath is not null)
            IO.AtomicFile.WriteAllText(o.JsonPath, metrics.ToJson(breakdown is null ? null : j => breakdown.WriteJson(j, o.Breakdown)));
        return new EvalJobResult(new EvalScores(phrases, tokens), metrics, calibration?.Table()) { Vocabulary = breakdown };
    }

    /// <summary>
    /// The conlleval script: scores "token … gold predicted" lines from <paramref name="input"/> and writes its report;
    /// returns the exit code. A bad delimiter is a <see cref="NerveException"/>.
    /// </summary>
    public static int Conlleval(ConllEvalOptions options, TextReader input, TextWriter output, TextWriter errors)
    {
        ConllEval.CreateSplitter(options.Delimiter);
        return ConllEval.Run(input, output, errors, options);
    }
}
