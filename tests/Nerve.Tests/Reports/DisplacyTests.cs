using Nerve.Reports;

namespace Nerve.Tests.Reports;

public class DisplacyTests
{
    [Fact]
    public void Marks_entities_with_their_label_after_the_text_and_a_fixed_colour()
    {
        var html = Displacy.Render(["Ann", "met", "<Bo>", "in", "Rome"], [new MarkedSpan(4, 5, "LOC"), new MarkedSpan(0, 1, "PER")], "gold");

        Assert.Equal("<div class=\"entities\"><span class=\"caption\">gold</span> " +
            "<mark class=\"entity\" style=\"background:#aa9cfc\">Ann<span>PER</span></mark> met &lt;Bo&gt; in " +
            "<mark class=\"entity\" style=\"background:#ff9561\">Rome<span>LOC</span></mark> </div>", html);
        Assert.Equal(Displacy.Colour("CITY"), Displacy.Colour("CITY"));
        Assert.StartsWith("#", Displacy.Colour("CITY"), StringComparison.Ordinal);
    }

    [Fact]
    public void Overlapping_spans_are_refused()
    {
        var e = Assert.Throws<NerveException>(() => Displacy.Render(["a", "b", "c"], [new MarkedSpan(0, 2, "X"), new MarkedSpan(1, 3, "Y")]));
        Assert.Contains("overlaps", e.Message, StringComparison.Ordinal);
    }
}
