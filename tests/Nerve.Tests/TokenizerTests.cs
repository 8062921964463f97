using Nerve.Text;

namespace Nerve.Tests;

public class TokenizerTests
{
    [Fact]
    public void Splits_words_numbers_abbreviations_and_punctuation_with_offsets()
    {
        const string text = "Mr. Smith paid $3,500.25 to the U.S. office, didn't he? Yes.";
        var tokens = Tokenizer.Tokenize(text);
        Assert.Equal(["Mr.", "Smith", "paid", "$", "3,500.25", "to", "the", "U.S.", "office", ",", "didn't", "he", "?", "Yes", "."], tokens.Select(t => t.Text));
        foreach (var t in tokens)
            Assert.Equal(t.Text, text[t.Start..t.End]);
    }

    [Fact]
    public void Splits_possessive_s()
    {
        var tokens = Tokenizer.Tokenize("the European Union's plans");
        Assert.Equal(["the", "European", "Union", "'s", "plans"], tokens.Select(t => t.Text));
    }

    [Fact]
    public void Splits_sentences_at_terminal_punctuation_before_a_capital()
    {
        var s = Tokenizer.Sentences("Kohl met Clinton in Bonn. They talked! Then, at 3.5 p.m. in Bonn, no. it ended");
        Assert.Equal(3, s.Count);
        Assert.Equal("Bonn", s[0][^2].Text);
        Assert.Equal(["They", "talked", "!"], s[1].Select(t => t.Text));
        // "p.m." is one token, and a period before a lower-case word does not end the sentence.
        Assert.Contains(s[2], t => t.Text == "p.m.");
        Assert.Equal("ended", s[2][^1].Text);
    }
}
