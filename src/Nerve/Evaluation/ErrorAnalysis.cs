using Nerve.Corpus;

namespace Nerve.Evaluation;

/// <summary>How a phrase went wrong, as the seed write-up grouped its errors.</summary>
public enum ErrorKind
{
    /// <summary>A predicted phrase with a gold phrase's exact span but another type.</summary>
    WrongType,
    /// <summary>A phrase overlapping one of the other side's without the same span.</summary>
    WrongBoundary,
    /// <summary>A gold phrase no predicted phrase touches (a false negative only).</summary>
    Missed,
    /// <summary>A predicted phrase touching no gold phrase (a false positive only).</summary>
    Spurious,
}

/// <summary>
/// One wrong phrase: a false positive (a predicted phrase not in gold) or a false negative (a gold phrase not
/// predicted), of <see cref="Span"/>'s type, in sentence <see cref="Sentence"/>, with the type on the other side it was
/// confused with (null for missed and spurious phrases).
/// </summary>
public sealed record EntityError(int Sentence, Span Span, bool FalsePositive, ErrorKind Kind, string? Other);

/// <summary>A group of errors of one type, side, kind and confused-with type, with its most frequent phrases.</summary>
public sealed record ErrorGroup(ErrorKind Kind, string? Other, int Count, IReadOnlyList<(string Text, int Count, EntityError First)> Phrases);

/// <summary>Phrase errors of a tagged corpus, classified by <see cref="ErrorKind"/> (exact-match phrase scoring, as conlleval).</summary>
public static class ErrorAnalysis
{
    /// <summary>Every false positive and false negative of the sentences, in sentence order.</summary>
    public static List<EntityError> Find(IReadOnlyList<IReadOnlyList<string>> gold, IReadOnlyList<IReadOnlyList<string>> predicted, TagScheme scheme)
    {
        if (gold.Count != predicted.Count)
            throw new NerveException($"error analysis: {gold.Count} gold but {predicted.Count} predicted sentences");
        var errors = new List<EntityError>();
        for (int s = 0; s < gold.Count; s++)
        {
            var g = Tags.ToSpans(gold[s], scheme);
            var p = Tags.ToSpans(predicted[s], scheme);
            foreach (var x in p)
                if (!g.Contains(x))
                    errors.Add(Classify(s, x, g, falsePositive: true));
            foreach (var x in g)
                if (!p.Contains(x))
                    errors.Add(Classify(s, x, p, falsePositive: false));
        }
        return errors;
    }

    /// <summary>
    /// The errors of one type and side grouped by kind and confused-with type, largest group first, each with its
    /// <paramref name="top"/> most frequent phrase texts (words joined by spaces).
    /// </summary>
    public static List<ErrorGroup> Group(IEnumerable<EntityError> errors, string type, bool falsePositive,
        Func<EntityError, string> text, int top = 5)
        => errors.Where(e => e.Span.Type == type && e.FalsePositive == falsePositive)
            .GroupBy(e => (e.Kind, e.Other))
            .Select(g => new ErrorGroup(g.Key.Kind, g.Key.Other, g.Count(),
                [.. g.GroupBy(text, StringComparer.Ordinal)
                    .Select(t => (t.Key, t.Count(), t.First()))
                    .OrderByDescending(t => t.Item2).ThenBy(t => t.Key, StringComparer.Ordinal).Take(top)]))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Kind).ThenBy(g => g.Other, StringComparer.Ordinal)
            .ToList();

    private static EntityError Classify(int sentence, Span x, Span[] others, bool falsePositive)
    {
        foreach (var o in others)
            if (o.Start == x.Start && o.End == x.End)
                return new EntityError(sentence, x, falsePositive, ErrorKind.WrongType, o.Type);
        foreach (var o in others)
            if (o.Start < x.End && x.Start < o.End)
                return new EntityError(sentence, x, falsePositive, ErrorKind.WrongBoundary, o.Type);
        return new EntityError(sentence, x, falsePositive, falsePositive ? ErrorKind.Spurious : ErrorKind.Missed, null);
    }
}
