using Nerve.Corpus;

namespace Nerve.Tests.Corpus;

public class GluedRepairTests
{
    private static (CorpusFile File, List<string> Repairs) Read(string text)
    {
        var repairs = new List<string>();
        return (CorpusReader.Read(new StringReader(text), "ned.txt", repairGlued: repairs.Add), repairs);
    }

    [Fact]
    public void A_glued_line_before_its_tag_appears_in_column_2_is_repaired()
    {
        // Line 4's "N" is seen in column 2 only on line 5: the first pass knows it.
        var (f, repairs) = Read("-DOCSTART- -DOCSTART- O\nDe Art O\nreis Adj O\nnaar Prep O\nItaliEN B-LOC\n\nhet Art O\nland N O\n");
        Assert.Equal(3, f.ColumnCount);
        Assert.Equal(["naar", "ItaliE"], f.Sentences[0].Words[2..]);
        Assert.Equal("N", f.Sentences[0].Row(3)[1].ToString());
        Assert.Equal("B-LOC", f.Sentences[0].Tags[3]);
        Assert.Equal("ned.txt:5: split glued column \"ItaliEN\" into \"ItaliE\" and its POS tag", Assert.Single(repairs));
    }

    [Fact]
    public void A_glued_first_token_line_sets_no_two_column_layout()
    {
        var (f, repairs) = Read("ItaliEN B-LOC\nis V O\nmooi Adj O\n\nRoma N B-LOC\n");
        Assert.Equal(3, f.ColumnCount);
        Assert.Equal(3, f.TagColumn);
        Assert.Equal(["ItaliE", "is", "mooi"], f.Sentences[0].Words);
        Assert.Equal(["B-LOC", "O", "O"], f.Sentences[0].Tags);
        Assert.Single(repairs);
    }

    [Fact]
    public void Without_the_repair_a_glued_line_is_an_error_and_an_unknown_suffix_stays_one()
    {
        var text = "De Art O\nItaliEN B-LOC\nland N O\n";
        Assert.Throws<NerveDataException>(() => CorpusReader.Read(new StringReader(text), "ned.txt"));
        var e = Assert.Throws<NerveDataException>(() => Read("De Art O\nItaliXY B-LOC\nland N O\n"));
        Assert.Contains("ned.txt:2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_two_column_file_is_left_alone()
    {
        var (f, repairs) = Read("SUN O\nPaul B-PER\n");
        Assert.Equal(2, f.ColumnCount);
        Assert.Equal(["SUN", "Paul"], f.Sentences[0].Words);
        Assert.Empty(repairs);
    }
}
