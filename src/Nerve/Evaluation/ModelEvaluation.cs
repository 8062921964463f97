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

/// <summary>
/// <see cref="ModelEvaluation.Run"/>'s scores over a corpus fed a batch of sentences at a time: conlleval's counts and
/// the token confusion add up over batches, so the result is that of one call on all the sentences, in memory bounded by
/// a batch rather than the corpus.
/// </summary>
public sealed class EvaluationTally
{
    private readonly NerModel _model;
    private readonly ConllEvaluator _phrases;
    private readonly Dictionary<(string Gold, string Predicted), long> _tokens = [];
    private readonly HashSet<string> _goldTags = new(StringComparer.Ordinal);
    private readonly HashSet<string> _labels;
    private readonly List<string> _otherPredicted = []; // predicted tags outside the model's labels and the gold tags so far, in order of first appearance
    private bool _first = true;

    /// <param name="raw">conlleval -r.</param>
    public EvaluationTally(NerModel model, bool raw)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _phrases = new ConllEvaluator(raw);
        _labels = new HashSet<string>(model.Config.Labels, StringComparer.Ordinal);
    }

    /// <summary>Tags <paramref name="gold"/> (<paramref name="threads"/> workers) and scores it after the batches before.</summary>
    public Prediction Add(IReadOnlyList<Sentence> gold, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(gold);
        var prediction = _model.PredictBatch(gold, threads);
        for (int s = 0; s < gold.Count; s++)
        {
            var (g, p) = (gold[s].Tags, prediction.Tags[s]);
            if (!_first) _phrases.AddBoundary();
            _first = false;
            for (int i = 0; i < g.Length; i++)
            {
                _phrases.Add(g[i], p[i]);
                _goldTags.Add(g[i]);
                if (!_labels.Contains(p[i]) && !_goldTags.Contains(p[i]) && !_otherPredicted.Contains(p[i])) _otherPredicted.Add(p[i]);
                var key = (g[i], p[i]);
                _tokens[key] = _tokens.GetValueOrDefault(key) + 1;
            }
        }
        return prediction;
    }

    /// <summary>The conlleval scores and the confusion matrix of the sentences so far, labels ordered as <see cref="ModelEvaluation.Run"/> orders them.</summary>
    public (ConllEvalResult Phrases, ConfusionMatrix Tokens) Result()
    {
        var labels = _labels.Concat(_goldTags).Distinct(StringComparer.Ordinal)
            .OrderBy(t => t == "O" ? 0 : 1).ThenBy(t => t, StringComparer.Ordinal);
        var matrix = new ConfusionMatrix(labels.Concat(_otherPredicted.Where(t => !_goldTags.Contains(t))));
        foreach (var ((gold, predicted), count) in _tokens) matrix.Add(gold, predicted, count);
        return (_phrases.Result(), matrix);
    }
}
