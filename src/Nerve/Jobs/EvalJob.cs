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
    /// <summary>MB of first-layer products cached while tagging; null keeps the model's default.</summary>
    public int? CacheMb { get; init; }
    /// <summary>Skip the model file's SHA-256 check.</summary>
    public bool NoVerify { get; init; }
    /// <summary>A gold tag its scheme does not allow where it stands (I- after O in IOB2) is an error, not a warning.</summary>
    public bool StrictScheme { get; init; }
}

/// <summary>Scoring jobs: a model on a gold corpus, and the conlleval script on tagged lines.</summary>
public static class EvalJob
{
    /// <summary>Loads <see cref="EvalJobOptions.ModelPath"/> and scores it on <paramref name="gold"/>.</summary>
    public static ModelEvaluation Run(EvalJobOptions o, JobInput gold, IJobLog? log = null)
    {
        if (o.Threads < 1) throw new NerveException($"--threads must be ≥ 1, found {o.Threads}");
        var path = o.ModelPath ?? throw new NerveException("--model is required");
        IO.InputFile.Check(path, "model file");
        gold.CheckExists();
        var model = NerModel.Load(path, verify: !o.NoVerify);
        TagJob.SetCache(model, o.CacheMb);
        return Run(model, o, gold, log);
    }

    /// <summary>Scores a loaded model on <paramref name="gold"/>: the conlleval phrase scores and the token confusion matrix.</summary>
    public static ModelEvaluation Run(NerModel model, EvalJobOptions o, JobInput gold, IJobLog? log = null)
    {
        log ??= NullJobLog.Instance;
        var corpus = JobCorpus.Read(gold, o.Format, o.TagColumn, requireTags: true, o.RepairGlued, log);
        JobCorpus.CheckScheme(corpus, Tags.Detect(corpus.Sentences.Select(s => (IReadOnlyList<string>)s.Tags)), o.StrictScheme, log);
        if (!o.Raw && model.Scheme == TagScheme.IO)
            log.Note("the model's labels are IO; conlleval finds no phrases in IO labels without --raw");
        return ModelEvaluation.Run(model, corpus.Sentences, o.Raw, o.Threads);
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
