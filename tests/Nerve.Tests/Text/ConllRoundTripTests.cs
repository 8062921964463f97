using Nerve.Text;

namespace Nerve.Tests.Text;

public class ConllRoundTripTests
{
    /// <summary>The sentences of a CoNLL-2003 column file: the first column of each line, blank lines between.</summary>
    private static List<string[]> ConllSentences(string file)
    {
        var sentences = new List<string[]>();
        var current = new List<string>();
        foreach (string line in File.ReadLines(file))
        {
            if (line.Length == 0 || line.StartsWith("-DOCSTART-", StringComparison.Ordinal))
            {
                if (current.Count > 0) sentences.Add([.. current]);
                current.Clear();
                continue;
            }
            current.Add(line[..line.IndexOf(' ', StringComparison.Ordinal)]);
        }
        if (current.Count > 0) sentences.Add([.. current]);
        return sentences;
    }

    /// <summary>
    /// Each dev sentence, its tokens joined by single spaces, tokenizes back to the same tokens, but for a few oddities
    /// of the data ("1=" for a tie, "6-" cut before a line break, "low.In" missing a space, "Tel+44").
    /// </summary>
    [Fact]
    public void Dev_tokens_joined_by_spaces_tokenize_back_to_themselves()
    {
        string file = Path.Combine(Path.GetDirectoryName(Fixtures.Path())!, "..", "data", "conll2003", "eng.testa");
        var sentences = ConllSentences(file);
        int gold = 0, produced = 0, same = 0;
        foreach (var sentence in sentences)
        {
            string text = string.Join(' ', sentence);
            var spans = new HashSet<(int, int)>();
            int at = 0;
            foreach (string t in sentence)
            {
                spans.Add((at, at + t.Length));
                at += t.Length + 1;
            }
            var tokens = Tokenizer.Tokenize(text);
            gold += sentence.Length;
            produced += tokens.Count;
            same += tokens.Count(t => spans.Contains((t.Start, t.End)));
        }
        Assert.Equal(51_362, gold);
        Assert.True(same >= 0.999 * gold && same >= 0.998 * produced, $"{same} of {gold} gold and {produced} produced tokens agree");
    }

    [Fact]
    public void Conll_oddities_that_the_scanner_matches()
    {
        Assert.Equal(["1.", "Mika", "Hakkinen", "(", "Finland", ")", "McLaren", "1:30.123"], TokenizerTests.Tokens("1. Mika Hakkinen (Finland) McLaren 1:30.123"));
        Assert.Equal(["Jones", ".496", ",", "C$", "5", "and", "US$", "3"], TokenizerTests.Tokens("Jones .496, C$5 and US$3"));
        Assert.Equal(["It", "ended", "3", "."], TokenizerTests.Tokens("It ended 3."));
        Assert.Equal([["Results", ":"], ["1.", "The", "Netherlands"], ["2.", "Italy"]],
            Tokenizer.Sentences("Results:\n\n1. The Netherlands\n\n2. Italy").Select(s => s.Select(t => t.Text).ToArray()).ToArray());
    }
}
