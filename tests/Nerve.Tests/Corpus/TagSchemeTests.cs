using Nerve.Corpus;

namespace Nerve.Tests.Corpus;

public class TagSchemeTests
{
    private static string[] T(string tags) => tags.Split(' ');

    [Theory]
    [InlineData("B-", true)]
    [InlineData("I-", true)]
    [InlineData("X-FOO", true)]
    [InlineData("b-PER", true)]
    [InlineData("B-PER", false)]
    [InlineData("S-date-time", false)]
    [InlineData("PER", false)]
    [InlineData("O", false)]
    [InlineData("-", false)]
    public void Malformed_tags_are_prefixes_without_a_type_or_unknown_prefixes(string tag, bool malformed)
        => Assert.Equal(malformed, Tags.IsMalformed(tag));

    [Theory]
    [InlineData("B-PER I-PER O B-LOC", TagScheme.IOB2, -1)]
    [InlineData("O I-PER", TagScheme.IOB2, 1)]
    [InlineData("I-PER", TagScheme.IOB2, 0)]
    [InlineData("B-PER I-LOC", TagScheme.IOB2, 1)]
    [InlineData("O I-PER", TagScheme.IOB1, -1)]
    [InlineData("I-PER B-PER O B-LOC", TagScheme.IOB1, 3)]
    [InlineData("B-PER E-PER S-LOC O", TagScheme.BIOES, -1)]
    [InlineData("B-PER O", TagScheme.BIOES, 1)]
    [InlineData("O B-PER", TagScheme.BIOES, 1)]
    [InlineData("O E-PER", TagScheme.BIOES, 1)]
    [InlineData("O I-PER B-LOC", TagScheme.IO, -1)]
    public void First_violation_of_a_scheme(string tags, TagScheme scheme, int index)
        => Assert.Equal(index, Tags.FirstViolation(T(tags), scheme));

    [Theory]
    [InlineData("B-PER", "B", "PER")]
    [InlineData("I-ORG", "I", "ORG")]
    [InlineData("E-LOC", "E", "LOC")]
    [InlineData("S-X", "S", "X")]
    [InlineData("O", "O", "")]
    [InlineData("PER", "I", "PER")]
    [InlineData("B-date-time", "B", "date-time")]
    [InlineData("creative-work", "I", "creative-work")]
    [InlineData("X-Y", "I", "X-Y")]
    public void Split_separates_prefix_and_type(string tag, string prefix, string type)
    {
        Assert.Equal((prefix, type), Tags.Split(tag));
    }

    // One sentence with adjacent same-type spans, adjacent different types, single and long spans.
    // Spans: PER[0,2) PER[2,3) LOC[3,4) ORG[5,8) MISC[9,10)
    private static readonly Span[] Example =
        [new(0, 2, "PER"), new(2, 3, "PER"), new(3, 4, "LOC"), new(5, 8, "ORG"), new(9, 10, "MISC")];
    private const string Iob1 = "I-PER I-PER B-PER I-LOC O I-ORG I-ORG I-ORG O I-MISC";
    private const string Iob2 = "B-PER I-PER B-PER B-LOC O B-ORG I-ORG I-ORG O B-MISC";
    private const string Bioes = "B-PER E-PER S-PER S-LOC O B-ORG I-ORG E-ORG O S-MISC";
    private const string Io = "I-PER I-PER I-PER I-LOC O I-ORG I-ORG I-ORG O I-MISC";

    [Theory]
    [InlineData(TagScheme.IOB1, Iob1)]
    [InlineData(TagScheme.IOB2, Iob2)]
    [InlineData(TagScheme.BIOES, Bioes)]
    public void Spans_encode_and_decode_in_each_scheme(TagScheme scheme, string tags)
    {
        Assert.Equal(T(tags), Tags.FromSpans(10, Example, scheme));
        Assert.Equal(Example, Tags.ToSpans(T(tags), scheme));
    }

    [Theory]
    [InlineData(TagScheme.IOB1, Iob1, TagScheme.IOB2, Iob2)]
    [InlineData(TagScheme.IOB2, Iob2, TagScheme.IOB1, Iob1)]
    [InlineData(TagScheme.IOB1, Iob1, TagScheme.BIOES, Bioes)]
    [InlineData(TagScheme.BIOES, Bioes, TagScheme.IOB1, Iob1)]
    [InlineData(TagScheme.IOB2, Iob2, TagScheme.BIOES, Bioes)]
    [InlineData(TagScheme.BIOES, Bioes, TagScheme.IOB2, Iob2)]
    [InlineData(TagScheme.IOB2, Iob2, TagScheme.IO, Io)]
    [InlineData(TagScheme.BIOES, Bioes, TagScheme.IO, Io)]
    public void Convert_between_schemes(TagScheme from, string tags, TagScheme to, string expected)
    {
        Assert.Equal(T(expected), Tags.Convert(T(tags), from, to));
    }

    [Fact]
    public void IO_merges_adjacent_spans_of_one_type_and_can_be_bare()
    {
        Assert.Equal(T("PER PER PER LOC O ORG ORG ORG O MISC"), Tags.Convert(T(Iob2), TagScheme.IOB2, TagScheme.IO, bareIO: true));
        Assert.Equal(
            [new Span(0, 3, "PER"), new Span(3, 4, "LOC"), new Span(5, 8, "ORG"), new Span(9, 10, "MISC")],
            Tags.ToSpans(T("PER PER PER LOC O ORG ORG ORG O MISC"), TagScheme.IO));
        // Prefixes do not split a run in IO.
        Assert.Equal([new Span(0, 2, "PER")], Tags.ToSpans(T("I-PER B-PER"), TagScheme.IO));
        Assert.Equal(T("I-PER I-PER I-LOC"), Tags.Convert(T("PER PER LOC"), TagScheme.IO, TagScheme.IOB1));
    }

    [Theory]
    [InlineData(TagScheme.IOB1)]
    [InlineData(TagScheme.IOB2)]
    [InlineData(TagScheme.BIOES)]
    public void Malformed_sequences_decode_leniently(TagScheme scheme)
    {
        // I- after O or after another type starts a span; E- without B- is a span of one.
        Assert.Equal(
            [new Span(1, 3, "PER"), new Span(3, 4, "LOC"), new Span(5, 6, "ORG"), new Span(6, 7, "ORG")],
            Tags.ToSpans(T("O I-PER I-PER I-LOC O E-ORG E-ORG"), scheme));
        // A span left open at the end of the sentence is closed there.
        Assert.Equal([new Span(1, 3, "X")], Tags.ToSpans(T("O B-X I-X"), scheme));
        // I- after S- or E- of the same type begins a new span.
        Assert.Equal([new Span(0, 1, "X"), new Span(1, 2, "X"), new Span(2, 4, "X")],
            Tags.ToSpans(T("S-X I-X B-X E-X"), scheme));
    }

    [Fact]
    public void Random_span_sets_round_trip_through_IOB1_IOB2_and_BIOES()
    {
        var random = new Random(20240126);
        string[] types = ["PER", "LOC", "date-time"];
        for (int trial = 0; trial < 2000; trial++)
        {
            int length = random.Next(0, 25);
            var spans = new List<Span>();
            int i = 0;
            while (i < length)
            {
                i += random.Next(0, 3); // often no gap, so same-type spans touch
                if (i >= length)
                    break;
                int end = Math.Min(length, i + 1 + random.Next(0, 4));
                spans.Add(new Span(i, end, types[random.Next(types.Length)]));
                i = end;
            }
            foreach (var scheme in new[] { TagScheme.IOB1, TagScheme.IOB2, TagScheme.BIOES })
            {
                var tags = Tags.FromSpans(length, spans, scheme);
                Assert.Equal(spans, Tags.ToSpans(tags, scheme));
                foreach (var other in new[] { TagScheme.IOB1, TagScheme.IOB2, TagScheme.BIOES })
                    Assert.Equal(Tags.FromSpans(length, spans, other), Tags.Convert(tags, scheme, other));
            }
        }
    }

    [Fact]
    public void FromSpans_rejects_invalid_spans()
    {
        Assert.Throws<ArgumentException>(() => Tags.FromSpans(3, [new Span(0, 2, "X"), new Span(1, 3, "X")], TagScheme.IOB2));
        Assert.Throws<ArgumentException>(() => Tags.FromSpans(3, [new Span(1, 1, "X")], TagScheme.IOB2));
        Assert.Throws<ArgumentException>(() => Tags.FromSpans(3, [new Span(2, 4, "X")], TagScheme.IOB2));
        Assert.Throws<ArgumentException>(() => Tags.FromSpans(3, [new Span(0, 1, "")], TagScheme.IOB2));
    }

    // Small corpora shaped like the real ones.
    private static readonly string[][] Conll2003Iob1 =
    [
        T("O"), // -DOCSTART-
        T("I-ORG O I-MISC O O O I-MISC O O"),
        T("I-PER I-PER"),
        T("I-LOC O"),
        T("O I-MISC B-MISC I-MISC O I-ORG I-ORG"),
    ];
    private static readonly string[][] Conll2003Iob2 =
    [
        T("O"),
        T("B-ORG O B-MISC O O O B-MISC O O"),
        T("B-PER I-PER"),
        T("B-LOC O"),
        T("O B-MISC B-MISC I-MISC O B-ORG I-ORG"),
    ];
    private static readonly string[][] Pa4 = [T("ORG O MISC O O O MISC O O"), T("PER PER"), T("O O")];
    private static readonly string[][] Wnut17 =
    [
        T("O O O B-location I-location O"),
        T("B-creative-work I-creative-work I-creative-work O B-person"),
        T("O O O"),
    ];

    [Fact]
    public void Detect_recognises_the_corpus_formats()
    {
        Assert.Equal(TagScheme.IOB1, Tags.Detect(Conll2003Iob1));
        Assert.Equal(TagScheme.IOB2, Tags.Detect(Conll2003Iob2));
        Assert.Equal(TagScheme.IO, Tags.Detect(Pa4));
        Assert.Equal(TagScheme.IOB2, Tags.Detect(Wnut17));
        Assert.Equal(TagScheme.BIOES, Tags.Detect([T("O S-PER O"), T("B-LOC E-LOC")]));
        Assert.Equal(TagScheme.BIOES, Tags.Detect(Conll2003Iob2.Select(s => (IReadOnlyList<string>)Tags.Convert(s, TagScheme.IOB2, TagScheme.BIOES))));
    }

    [Fact]
    public void Detect_decides_ambiguous_corpora()
    {
        // Only I- tags: valid IOB1. Only O: nothing prefixed, IO.
        Assert.Equal(TagScheme.IOB1, Tags.Detect([T("I-PER I-PER O I-LOC")]));
        Assert.Equal(TagScheme.IO, Tags.Detect([T("O O"), T("O")]));
        // Sentence starts count as span starts: B- there is IOB2, I- there is IOB1.
        Assert.Equal(TagScheme.IOB2, Tags.Detect([T("B-PER I-PER"), T("B-LOC")]));
        Assert.Equal(TagScheme.IOB1, Tags.Detect([T("I-PER"), T("I-PER B-PER")]));
    }

    [Fact]
    public void EntityTypes_lists_distinct_types_in_ordinal_order()
    {
        Assert.Equal(["LOC", "MISC", "ORG", "PER"], Tags.EntityTypes(Conll2003Iob1));
        Assert.Equal(["creative-work", "location", "person"], Tags.EntityTypes(Wnut17));
        Assert.Equal(["MISC", "ORG", "PER"], Tags.EntityTypes(Pa4));
    }
}
