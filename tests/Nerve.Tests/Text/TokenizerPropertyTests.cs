using System.Globalization;
using System.Text;
using Nerve.Text;

namespace Nerve.Tests.Text;

public class TokenizerPropertyTests
{
    // Pieces the fuzz strings are built from: ASCII words and punctuation, separators and controls, combining marks,
    // emoji (modifiers, ZWJ, flags, tags, keycaps), CJK, RTL, lone surrogates, and the characters the scanner treats specially.
    private static readonly string[] Pieces =
    [
        "a", "Z", "word", "U", "S", "n", "t", "s", "0", "7", "1,000", "3.5", ".", ",", "-", "--", "'", "’", "\"", "`", "(", ")",
        "&", "@", "+", "%", "/", ":", "!", "?", "http://", "https://x.y/", "www.", "e.g.", "Mr", "Inc", "@b.com",
        " ", " ", " ", "\t", "\n", "\r", "\r\n", "\u0000", "\u0007", "\u007F", "\u0085", "\u00A0", "\u2028", "\u2029",
        "\u200B", "\u200E", "\u202B", "\uFEFF", "\u3000",
        "\u0301", "\u0308", "\u20E3", "\uFE0F", "\u200D", "\u200C", "\u0600", "\u0903", "\u093F",
        "😀", "👍", "🏽", "👨‍👩‍👧", "🇩", "🇪", "🏴", "\U000E0067", "\U000E007F", "❤", "1️⃣",
        "東", "京", "に", "ニ", "ー", "한", "国", "𠀀", "。", "「",
        "ש", "ל", "״", "م", "َ", "١", "،", "؟", "ก", "ั",
        "\uD800", "\uDC00", "\uDBFF", "\uDFFF", "𝐀", "ß", "İ", "ǅ",
    ];

    [Fact]
    public void Fuzzed_strings_give_whole_nonblank_ordered_tokens_that_rebuild_the_text()
    {
        var rng = new Random(20261202);
        var sb = new StringBuilder();
        int tokensSeen = 0;
        for (int iteration = 0; iteration < 10_000; iteration++)
        {
            sb.Clear();
            int pieces = rng.Next(1, 40);
            for (int p = 0; p < pieces; p++)
            {
                // One piece in eight is any UTF-16 unit at all (lone surrogates, prepended marks, unassigned code points).
                if (rng.Next(8) == 0) sb.Append((char)rng.Next(0x10000));
                else sb.Append(Pieces[rng.Next(Pieces.Length)]);
            }
            string text = sb.ToString();
            var tokens = Tokenizer.Tokenize(text);
            AssertWellFormed(text, tokens);
            var sentences = Tokenizer.Sentences(text);
            Assert.Equal(tokens, sentences.SelectMany(s => s));
            Assert.DoesNotContain(sentences, s => s.Count == 0);
            tokensSeen += tokens.Count;
        }
        Assert.True(tokensSeen > 100_000, $"{tokensSeen} tokens");
    }

    /// <summary>
    /// Every token is text[Start..End], non-empty, free of separators, starts and ends on grapheme boundaries (so never
    /// inside a surrogate pair or before a combining mark), and tokens are in order without overlap; tokens plus the
    /// gaps between them rebuild the text, and the gaps hold only separators.
    /// </summary>
    internal static void AssertWellFormed(string text, List<TextToken> tokens)
    {
        var boundaries = new HashSet<int> { 0, text.Length };
        for (int k = 0; k < text.Length; k += StringInfo.GetNextTextElementLength(text.AsSpan(k))) boundaries.Add(k);
        var rebuilt = new StringBuilder(text.Length);
        int previous = 0;
        foreach (var t in tokens)
        {
            Assert.True(t.Start >= previous && t.End > t.Start, $"token {t} after {previous} in {Escape(text)}");
            Assert.Equal(t.Text, text[t.Start..t.End]);
            Assert.False(char.IsLowSurrogate(text[t.Start]) && t.Start > 0 && char.IsHighSurrogate(text[t.Start - 1]), $"{t} starts inside a pair in {Escape(text)}");
            Assert.False(char.IsHighSurrogate(text[t.End - 1]) && t.End < text.Length && char.IsLowSurrogate(text[t.End]), $"{t} ends inside a pair in {Escape(text)}");
            foreach (char c in t.Text)
                Assert.False(IsSeparator(c), $"{Escape(t.Text)} holds a separator in {Escape(text)}");
            // A cut inside a grapheme cluster is allowed only before a separator (the scanner cuts clusters there).
            Assert.True(boundaries.Contains(t.Start) || IsSeparator(text[t.Start - 1]), $"{Escape(t.Text)} starts inside a cluster in {Escape(text)}");
            Assert.True(boundaries.Contains(t.End) || IsSeparator(text[t.End]), $"{Escape(t.Text)} ends inside a cluster in {Escape(text)}");
            string gap = text[previous..t.Start];
            Assert.True(gap.All(IsSeparator), $"gap {Escape(gap)} before {Escape(t.Text)} in {Escape(text)}");
            rebuilt.Append(gap).Append(t.Text);
            previous = t.End;
        }
        Assert.True(text[previous..].All(IsSeparator));
        rebuilt.Append(text, previous, text.Length - previous);
        Assert.Equal(text, rebuilt.ToString());
    }

    private static bool IsSeparator(char c) =>
        char.IsWhiteSpace(c) || char.IsControl(c) || c is '\u200B' or '\u200E' or '\u200F' or '\uFEFF'
        or (>= '\u202A' and <= '\u202E') or (>= '\u2060' and <= '\u2064') or (>= '\u2066' and <= '\u206F');

    private static string Escape(string s) =>
        string.Concat(s.Select(c => c is >= ' ' and < '\x7F' ? c.ToString() : $"\\u{(int)c:X4}"));

    [Fact]
    [Trait("Category", "Acceptance")]
    public void Very_long_inputs_complete_with_correct_tokens()
    {
        const int n = 10_000_000;
        string noSpaces = new('a', n);
        var one = Tokenizer.Tokenize(noSpaces);
        Assert.Equal(new TextToken(noSpaces, 0, n), Assert.Single(one));

        // Inputs that make each lookahead read to the end and fail: every later start must not read it again.
        foreach (string unit in new[] { "a.", "a+", "a-", "a@", "1,", ".a", "a'", "-", "a😀", "e\u0301", "東", "a@b" })
        {
            var sb = new StringBuilder(n / 5 + 8);
            while (sb.Length < n / 5) sb.Append(unit);
            sb.Append(unit[0]);
            string text = sb.ToString();
            var tokens = Tokenizer.Tokenize(text);
            Assert.Equal(text.Length, tokens[^1].End);
            Assert.Equal(text, string.Concat(tokens.Select(t => t.Text)));
        }

        string words = string.Concat(Enumerable.Repeat("Mr. Smith met U.S. officials at 12:30 on Jan. 5, didn't he? ", n / 60));
        var sentences = Tokenizer.Sentences(words);
        Assert.Equal(n / 60, sentences.Count);
        Assert.All(sentences, s => Assert.Equal(["Mr.", "Smith", "met", "U.S.", "officials", "at", "12:30", "on", "Jan.", "5", ",", "did", "n't", "he", "?"], s.Select(t => t.Text)));
    }

    [Fact]
    public void Code_point_offsets_count_an_emoji_once()
    {
        const string text = "😀 Kohl 👍🏽 met 🇩🇪 Bonn";
        var tokens = Tokenizer.Tokenize(text);
        Assert.Equal(["😀", "Kohl", "👍🏽", "met", "🇩🇪", "Bonn"], tokens.Select(t => t.Text));
        var cps = TextOffsets.ToCodePoints(text, tokens);
        // As Python sees it: "😀 Kohl 👍🏽 met 🇩🇪 Bonn"[2:6] == "Kohl", [7:9] == "👍🏽", [10:13] == "met", [14:16] == "🇩🇪", [17:21] == "Bonn".
        Assert.Equal(new[] { (0, 1), (2, 6), (7, 9), (10, 13), (14, 16), (17, 21) }, cps);
        int[] codePoints = [.. text.EnumerateRunes().Select(r => r.Value)];
        for (int t = 0; t < tokens.Count; t++)
        {
            string fromCodePoints = string.Concat(codePoints[cps[t].Start..cps[t].End].Select(char.ConvertFromUtf32));
            Assert.Equal(tokens[t].Text, fromCodePoints);
            Assert.Equal(cps[t].Start, TextOffsets.ToCodePoints(text, tokens[t].Start));
            Assert.Equal(tokens[t].Start, TextOffsets.ToUtf16(text, cps[t].Start));
            Assert.Equal(tokens[t].End, TextOffsets.ToUtf16(text, cps[t].End));
        }
        Assert.Equal(text.EnumerateRunes().Count(), TextOffsets.ToCodePoints(text, text.Length));
        Assert.Throws<ArgumentOutOfRangeException>(() => TextOffsets.ToUtf16(text, 22));
    }

    [Fact]
    public void Code_point_offsets_restart_for_tokens_out_of_order_and_count_lone_surrogates()
    {
        const string text = "𝐀 b \uD800 c";
        var tokens = Tokenizer.Tokenize(text);
        var reversed = tokens.AsEnumerable().Reverse().ToList();
        Assert.Equal(TextOffsets.ToCodePoints(text, tokens).Reverse(), TextOffsets.ToCodePoints(text, reversed));
        Assert.Equal(new[] { (0, 1), (2, 3), (4, 5), (6, 7) }, TextOffsets.ToCodePoints(text, tokens));
    }
}
