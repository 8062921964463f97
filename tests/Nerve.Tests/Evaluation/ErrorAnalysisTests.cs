using Nerve.Corpus;
using Nerve.Evaluation;

namespace Nerve.Tests.Evaluation;

public class ErrorAnalysisTests
{
    private static readonly IReadOnlyList<string>[] Gold =
    [
        ["B-PER", "I-PER", "O", "B-LOC", "O", "B-ORG", "O"],
        ["B-ORG", "O", "O"],
    ];
    private static readonly IReadOnlyList<string>[] Predicted =
    [
        ["B-PER", "O", "O", "B-ORG", "O", "B-ORG", "B-MISC"], // PER too short, LOC as ORG, ORG right, MISC spurious
        ["O", "O", "O"], // ORG missed
    ];

    [Fact]
    public void Each_wrong_phrase_is_classified_by_what_it_was_confused_with()
    {
        var errors = ErrorAnalysis.Find(Gold, Predicted, TagScheme.IOB2);

        Assert.Equal(
        [
            new EntityError(0, new Span(0, 1, "PER"), true, ErrorKind.WrongBoundary, "PER"),
            new EntityError(0, new Span(3, 4, "ORG"), true, ErrorKind.WrongType, "LOC"),
            new EntityError(0, new Span(6, 7, "MISC"), true, ErrorKind.Spurious, null),
            new EntityError(0, new Span(0, 2, "PER"), false, ErrorKind.WrongBoundary, "PER"),
            new EntityError(0, new Span(3, 4, "LOC"), false, ErrorKind.WrongType, "ORG"),
            new EntityError(1, new Span(0, 1, "ORG"), false, ErrorKind.Missed, null),
        ], errors);
    }

    [Fact]
    public void Groups_count_errors_and_their_most_frequent_phrases()
    {
        var gold = new IReadOnlyList<string>[] { ["B-PER", "O"], ["B-PER", "O"], ["B-PER", "B-PER"] };
        var predicted = new IReadOnlyList<string>[] { ["O", "O"], ["O", "O"], ["O", "B-LOC"] };
        var words = new[] { new[] { "Ann", "x" }, ["Ann", "y"], ["Bo", "Cy"] };
        var errors = ErrorAnalysis.Find(gold, predicted, TagScheme.IOB2);

        var groups = ErrorAnalysis.Group(errors, "PER", falsePositive: false, e => string.Join(' ', words[e.Sentence][e.Span.Start..e.Span.End]));

        Assert.Equal(2, groups.Count);
        Assert.Equal((ErrorKind.Missed, (string?)null, 3), (groups[0].Kind, groups[0].Other, groups[0].Count));
        Assert.Equal(("Ann", 2, 0), (groups[0].Phrases[0].Text, groups[0].Phrases[0].Count, groups[0].Phrases[0].First.Sentence));
        Assert.Equal(("Bo", 1), (groups[0].Phrases[1].Text, groups[0].Phrases[1].Count));
        Assert.Equal((ErrorKind.WrongType, "LOC", 1), (groups[1].Kind, groups[1].Other, groups[1].Count));
        Assert.Empty(ErrorAnalysis.Group(errors, "PER", falsePositive: true, e => ""));
    }

    [Fact]
    public void Reliability_bins_phrases_by_mean_token_confidence()
    {
        var gold = new IReadOnlyList<string>[] { ["B-PER", "I-PER", "O", "B-LOC"] };
        var predicted = new IReadOnlyList<string>[] { ["B-PER", "I-PER", "O", "B-PER"] };
        var confidence = new IReadOnlyList<float>[] { [0.9f, 0.8f, 0.99f, 0.35f] };

        var bins = Reliability.Bins(gold, predicted, confidence, TagScheme.IOB2);

        Assert.Equal(10, bins.Count);
        Assert.Equal((1, 0.85, 1.0), (bins[8].Count, Math.Round(bins[8].MeanConfidence, 6), bins[8].Precision)); // PER, mean 0.85, correct
        Assert.Equal((1, 0.35, 0.0), (bins[3].Count, Math.Round(bins[3].MeanConfidence, 6), bins[3].Precision)); // wrong type
        Assert.Equal(2, bins.Sum(b => b.Count));
        Assert.Equal((0, 0.0), (bins[0].Count, bins[0].Precision)); // an empty bin
        Assert.Equal(0.5 * 0.15 + 0.5 * 0.35, Reliability.ExpectedError(bins), 6);
    }
}
