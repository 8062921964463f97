using Nerve.Corpus;
using Nerve.Model;
using Nerve.Tagging;

namespace Nerve.Evaluation;

/// <summary>A model's predictions on a gold corpus, scored by conlleval and tabulated per token.</summary>
public sealed record ModelEvaluation(ConllEvalResult Phrases, ConfusionMatrix Tokens, Prediction Prediction)
{
    /// <summary>Tags <paramref name="gold"/> with <paramref name="model"/> and scores it; <paramref name="raw"/> is conlleval -r.</summary>
    public static ModelEvaluation Run(NerModel model, IReadOnlyList<Sentence> gold, bool raw, int threads = 1)
    {
        var prediction = model.Predict(gold, threads);
        var pairs = Pairs(gold, prediction);
        var labels = model.Config.Labels.Concat(gold.SelectMany(s => s.Tags)).Distinct(StringComparer.Ordinal)
            .OrderBy(t => t == "O" ? 0 : 1).ThenBy(t => t, StringComparer.Ordinal);
        return new ModelEvaluation(ConllEval.Evaluate(pairs, raw), ConfusionMatrix.Build(pairs, labels), prediction);
    }

    /// <summary>The conlleval phrase scores alone (no confusion matrix): what training scores every epoch.</summary>
    public static ConllEvalResult Score(NerModel model, IReadOnlyList<Sentence> gold, bool raw, int threads = 1)
        => ConllEval.Evaluate(Pairs(gold, model.Predict(gold, threads)), raw);

    /// <summary>
    /// F1 in the model's own scheme: IO labels are scored per token (conlleval -r), chunk schemes per phrase. The
    /// trainer's <c>Scorer</c>.
    /// </summary>
    public static double F1(NerModel model, IReadOnlyList<Sentence> gold, int threads = 1)
        => Score(model, gold, raw: model.Scheme == TagScheme.IO, threads).F1;

    private static List<(IReadOnlyList<string>, IReadOnlyList<string>)> Pairs(IReadOnlyList<Sentence> gold, Prediction prediction)
        => gold.Select((s, i) => ((IReadOnlyList<string>)s.Tags, (IReadOnlyList<string>)prediction.Tags[i])).ToList();
}
