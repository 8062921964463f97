using Nerve.Text;

namespace Nerve.Tests.Text;

public class TokenizerTests
{
    /// <summary>The tokens of <paramref name="text"/> as strings, after checking every offset against the text.</summary>
    internal static string[] Tokens(string text)
    {
        var tokens = Tokenizer.Tokenize(text);
        foreach (var t in tokens)
            Assert.Equal(t.Text, text[t.Start..t.End]);
        return [.. tokens.Select(t => t.Text)];
    }

    private static string[][] SentenceTexts(string text) =>
        [.. Tokenizer.Sentences(text).Select(s => s.Select(t => t.Text).ToArray())];

    [Fact]
    public void Splits_words_numbers_abbreviations_and_punctuation_with_offsets()
    {
        // "n't" is split off as in CoNLL-2003 ("did n't": 98 "n't" tokens in eng.train, no "didn't").
        Assert.Equal(["Mr.", "Smith", "paid", "$", "3,500.25", "to", "the", "U.S.", "office", ",", "did", "n't", "he", "?", "Yes", "."],
            Tokens("Mr. Smith paid $3,500.25 to the U.S. office, didn't he? Yes."));
    }

    [Fact]
    public void Splits_possessive_s()
    {
        Assert.Equal(["the", "European", "Union", "'s", "plans"], Tokens("the European Union's plans"));
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

    [Fact]
    public void Demo_paragraph_tokenizes_as_before()
    {
        const string text = "German Chancellor Helmut Kohl met U.S. President Bill Clinton in Bonn on Tuesday. The two leaders discussed "
            + "NATO expansion and the European Union's plans, a spokesman for the Foreign Ministry said. Shares of Daimler-Benz "
            + "rose 2 percent in Frankfurt after Reuters reported a deal with Chrysler.";
        Assert.Equal(
        [
            ["German", "Chancellor", "Helmut", "Kohl", "met", "U.S.", "President", "Bill", "Clinton", "in", "Bonn", "on", "Tuesday", "."],
            ["The", "two", "leaders", "discussed", "NATO", "expansion", "and", "the", "European", "Union", "'s", "plans", ",", "a",
                "spokesman", "for", "the", "Foreign", "Ministry", "said", "."],
            ["Shares", "of", "Daimler-Benz", "rose", "2", "percent", "in", "Frankfurt", "after", "Reuters", "reported", "a", "deal",
                "with", "Chrysler", "."],
        ], SentenceTexts(text));
        Tokens(text);
    }

    [Theory]
    [InlineData("Dr. Smith and Mrs. Jones of Acme Inc. met.", new[] { "Dr.", "Smith", "and", "Mrs.", "Jones", "of", "Acme", "Inc.", "met", "." })]
    [InlineData("e.g. this, i.e. that, 5 p.m. and U.S.A. too", new[] { "e.g.", "this", ",", "i.e.", "that", ",", "5", "p.m.", "and", "U.S.A.", "too" })]
    [InlineData("by M. Waugh in Sacramento, Calif. yesterday", new[] { "by", "M.", "Waugh", "in", "Sacramento", ",", "Calif.", "yesterday" })]
    [InlineData("Ajax vs. Feyenoord", new[] { "Ajax", "vs.", "Feyenoord" })]
    [InlineData("in Bonn.", new[] { "in", "Bonn", "." })]
    [InlineData("plan a. then", new[] { "plan", "a", ".", "then" })]
    [InlineData("wait... what", new[] { "wait", "...", "what" })]
    public void Abbreviations_keep_their_period(string text, string[] expected) => Assert.Equal(expected, Tokens(text));

    [Theory]
    [InlineData("1,000,000 3.5 12:30 1/2 1996-08-28 6-4", new[] { "1,000,000", "3.5", "12:30", "1/2", "1996-08-28", "6-4" })]
    [InlineData("rose 10% to $3.50, -5 and +44 (-2.5)", new[] { "rose", "10", "%", "to", "$", "3.50", ",", "-5", "and", "+44", "(", "-2.5", ")" })]
    [InlineData("the 10th and 1990s", new[] { "the", "10th", "and", "1990s" })]
    [InlineData("a 12-year-old in 1990's", new[] { "a", "12-year-old", "in", "1990", "'s" })]
    [InlineData("5,710.53 - 22.94 and 10-5", new[] { "5,710.53", "-", "22.94", "and", "10-5" })]
    [InlineData("It ended 3.", new[] { "It", "ended", "3", "." })]
    [InlineData("x-5 and 5-x", new[] { "x-5", "and", "5-x" })]
    [InlineData("١٢٣ and ３４", new[] { "١٢٣", "and", "３４" })]
    public void Numbers_keep_their_separators(string text, string[] expected) => Assert.Equal(expected, Tokens(text));

    [Theory]
    [InlineData("Daimler-Benz and well-known F-16 jets", new[] { "Daimler-Benz", "and", "well-known", "F-16", "jets" })]
    [InlineData("S&P and AT&T, Q & A", new[] { "S&P", "and", "AT&T", ",", "Q", "&", "A" })]
    [InlineData("at 5 o'clock O'Neill met D'Alema", new[] { "at", "5", "o'clock", "O'Neill", "met", "D'Alema" })]
    [InlineData("a -- b - c", new[] { "a", "--", "b", "-", "c" })]
    [InlineData("pre- and post-war", new[] { "pre", "-", "and", "post-war" })]
    public void Hyphens_ampersands_and_inner_apostrophes_join_words(string text, string[] expected) => Assert.Equal(expected, Tokens(text));

    [Theory]
    [InlineData("don't can't won't DON'T", new[] { "do", "n't", "ca", "n't", "wo", "n't", "DO", "N'T" })]
    [InlineData("they're I'm we've you'll he'd IT'S", new[] { "they", "'re", "I", "'m", "we", "'ve", "you", "'ll", "he", "'d", "IT", "'S" })]
    [InlineData("Kohl’s plan isn’t", new[] { "Kohl", "’s", "plan", "is", "n’t" })]
    [InlineData("the players' union", new[] { "the", "players", "'", "union" })]
    [InlineData("'s n't", new[] { "'s", "n't" })]
    public void Contractions_split_as_in_conll(string text, string[] expected) => Assert.Equal(expected, Tokens(text));

    [Theory]
    [InlineData("see https://example.com/a?b=c&d=(e) now", new[] { "see", "https://example.com/a?b=c&d=(e)", "now" })]
    [InlineData("(at http://x.org/a_b.)", new[] { "(", "at", "http://x.org/a_b", ".", ")" })]
    [InlineData("visit www.internetstartup.com, or FTP://files.example.net/x!", new[] { "visit", "www.internetstartup.com", ",", "or", "FTP://files.example.net/x", "!" })]
    [InlineData("\"https://a.b/c\"", new[] { "\"", "https://a.b/c", "\"" })]
    [InlineData("mail derivatives@reuters.com or j.doe+x@mail.example.co.uk.", new[] { "mail", "derivatives@reuters.com", "or", "j.doe+x@mail.example.co.uk", "." })]
    [InlineData("not@mail or @user", new[] { "not", "@", "mail", "or", "@", "user" })]
    [InlineData("http:// alone", new[] { "http", ":", "/", "/", "alone" })]
    public void Urls_and_email_addresses_are_one_token(string text, string[] expected) => Assert.Equal(expected, Tokens(text));

    [Theory]
    [InlineData("\"Yes,\" he said.", new[] { "\"", "Yes", ",", "\"", "he", "said", "." })]
    [InlineData("“Yes,” he said ‘no’", new[] { "“", "Yes", ",", "”", "he", "said", "‘", "no", "’" })]
    [InlineData("``Yes,'' he said 'no'", new[] { "``", "Yes", ",", "''", "he", "said", "'", "no", "'" })]
    [InlineData("«Oui» (yes) [no] {x}", new[] { "«", "Oui", "»", "(", "yes", ")", "[", "no", "]", "{", "x", "}" })]
    public void Quotes_and_brackets_are_tokens(string text, string[] expected) => Assert.Equal(expected, Tokens(text));

    [Theory]
    [InlineData("I ❤️ NY 👍🏽 👨‍👩‍👧‍👦 🇩🇪 🏴󠁧󠁢󠁳󠁣󠁴󠁿 1️⃣ 😀😀", new[] { "I", "❤️", "NY", "👍🏽", "👨‍👩‍👧‍👦", "🇩🇪", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "1️⃣", "😀", "😀" })]
    [InlineData("Paris😀London", new[] { "Paris", "😀", "London" })]
    [InlineData("𝐀𝐁𝐂 and 𠀀𠀁", new[] { "𝐀𝐁𝐂", "and", "𠀀", "𠀁" })]
    public void Emoji_and_astral_characters_are_whole_tokens(string text, string[] expected) => Assert.Equal(expected, Tokens(text));

    [Fact]
    public void An_emoji_is_one_token_not_two_replacement_characters()
    {
        var tokens = Tokenizer.Tokenize("Hi 😀!");
        Assert.Equal([new TextToken("Hi", 0, 2), new TextToken("😀", 3, 5), new TextToken("!", 5, 6)], tokens);
    }

    [Theory]
    [InlineData("Cafe\u0301 re\u0301sume\u0301 Zu\u0308rich.", new[] { "Cafe\u0301", "re\u0301sume\u0301", "Zu\u0308rich", "." })]
    [InlineData("हिन्दी और ภาษาไทย", new[] { "हिन्दी", "और", "ภาษาไทย" })]
    [InlineData("a\u0301\u0302\u0303-b x \u0301y", new[] { "a\u0301\u0302\u0303-b", "x", "\u0301", "y" })]
    [InlineData(".\u0301. U\u0301.S\u0301.", new[] { ".\u0301", ".", "U\u0301.S\u0301." })]
    public void Combining_marks_stay_with_their_base(string text, string[] expected) => Assert.Equal(expected, Tokens(text));

    [Theory]
    [InlineData("東京都に住むニュースです。", new[] { "東", "京", "都", "に", "住", "む", "ニュース", "です", "。" })]
    [InlineData("我爱北京。他说：「好」", new[] { "我", "爱", "北", "京", "。", "他", "说", "：", "「", "好", "」" })]
    [InlineData("서울에 간다. Tシャツ", new[] { "서울에", "간다", ".", "T", "シャツ" })]
    public void Cjk_ideographs_are_single_tokens_and_kana_runs_are_words(string text, string[] expected) => Assert.Equal(expected, Tokens(text));

    [Theory]
    [InlineData("قال الرئيس، إن مصر", new[] { "قال", "الرئيس", "،", "إن", "مصر" })]
    [InlineData("שלום עולם, צה״ל!", new[] { "שלום", "עולם", ",", "צה״ל", "!" })]
    [InlineData("\u202Bשלום\u202C (Shalom)", new[] { "שלום", "(", "Shalom", ")" })]
    [InlineData("مَرْحَبًا ١٩٩٦", new[] { "مَرْحَبًا", "١٩٩٦" })]
    public void Right_to_left_words_are_words(string text, string[] expected) => Assert.Equal(expected, Tokens(text));

    [Fact]
    public void Controls_bom_and_invisible_format_characters_are_whitespace()
    {
        const string text = "\uFEFFBonn\u0000met\u0007\u001BParis\u007F\u0085Rome\u200Bx\u200Ey\u00A0z\u2028w\u0080v";
        Assert.Equal(["Bonn", "met", "Paris", "Rome", "x", "y", "z", "w", "v"], Tokens(text));
        Assert.Equal(1, Tokenizer.Tokenize(text)[0].Start);
    }

    [Fact]
    public void Crlf_and_cr_line_ends_work_and_blank_lines_end_sentences()
    {
        Assert.Equal(["a", "b", "c"], Tokens("a\r\nb\rc\r\n"));
        // A single line break never ends a sentence; a blank line always does, with any line-end convention.
        foreach (string nl in new[] { "\n", "\r\n", "\r" })
        {
            Assert.Equal([["Kohl", "met", "Clinton", "in", "Bonn"]], SentenceTexts($"Kohl met{nl}Clinton in Bonn"));
            Assert.Equal([["Kohl", "met"], ["Clinton", "in", "Bonn"]], SentenceTexts($"Kohl met{nl}{nl}Clinton in Bonn"));
            Assert.Equal([["Title"], ["text", "."]], SentenceTexts($"Title{nl} \t{nl}text."));
        }
        Assert.Equal([["a"], ["b"]], SentenceTexts("a\u2029b"));
    }

    [Fact]
    public void Abbreviations_end_sentences_only_before_a_sentence_starter()
    {
        Assert.Equal([["Mr.", "Smith", "came", "."]], SentenceTexts("Mr. Smith came."));
        Assert.Equal([["Dr.", "The", "Rock", "came", "."]], SentenceTexts("Dr. The Rock came."));
        Assert.Equal([["He", "lives", "in", "the", "U.S."], ["The", "next", "day", "he", "left", "."]],
            SentenceTexts("He lives in the U.S. The next day he left."));
        Assert.Equal([["U.S.", "President", "Clinton", "spoke", "."]], SentenceTexts("U.S. President Clinton spoke."));
        Assert.Equal([["He", "joined", "Acme", "Inc."], ["It", "grew", "."]], SentenceTexts("He joined Acme Inc. It grew."));
        Assert.Equal([["Shares", "of", "Acme", "Inc.", "Ltd", "rose"]], SentenceTexts("Shares of Acme Inc. Ltd rose"));
        Assert.Equal([["Fruit", ",", "e.g.", "Apples", "."]], SentenceTexts("Fruit, e.g. Apples."));
        Assert.Equal([["by", "J.", "Smith", "."]], SentenceTexts("by J. Smith."));
    }

    [Fact]
    public void Sentences_keep_closing_quotes_and_split_after_other_terminals()
    {
        Assert.Equal([["\"", "Go", ".", "\""], ["Then", "he", "left", "."]], SentenceTexts("\"Go.\" Then he left."));
        Assert.Equal([["He", "said", "(", "no", ".", ")"], ["Then", "?"]], SentenceTexts("He said (no.) Then?"));
        Assert.Equal([["It", "rose", "."], ["5", "fell", "."]], SentenceTexts("It rose. 5 fell."));
        Assert.Equal([["Wait", "..."], ["No", "!"], ["“", "Yes", "”"]], SentenceTexts("Wait... No! “Yes”"));
        Assert.Equal([["a", "?", "!", "b"]], SentenceTexts("a?! b"));
        Assert.Equal([["我", "爱", "。"], ["他", "说", "！"], ["a"]], SentenceTexts("我爱。他说！a"));
        Assert.Equal([["Bonn", "."], ["東", "京"]], SentenceTexts("Bonn. 東京"));
        Assert.Equal([["هل", "هو", "؟"], ["نعم"]], SentenceTexts("هل هو؟ نعم"));
    }

    [Fact]
    public void Empty_and_blank_inputs_give_no_tokens()
    {
        Assert.Empty(Tokenizer.Tokenize(""));
        Assert.Empty(Tokenizer.Tokenize(" \t\r\n\uFEFF\u0000"));
        Assert.Empty(Tokenizer.Sentences("\r\n\r\n"));
    }

    [Fact]
    public void Lone_surrogates_are_one_unit_tokens()
    {
        Assert.Equal(["a", "\uD800", "b", "\uDC00", "c"], Tokens("a \uD800 b \uDC00c"));
        Assert.Equal(["x", "\uDC00", "\uD83D"], Tokens("x\uDC00\uD83D"));
    }

    [Fact]
    public void Sentences_of_given_tokens_reject_tokens_outside_the_text_or_out_of_order()
    {
        const string text = "Kohl met Clinton.";
        var tokens = Tokenizer.Tokenize(text);
        Assert.Equal(Tokenizer.Sentences(text), Tokenizer.Sentences(text, tokens));
        Assert.Throws<ArgumentException>(() => Tokenizer.Sentences(text, [tokens[1], tokens[0]]));
        Assert.Throws<ArgumentException>(() => Tokenizer.Sentences("Kohl", tokens));
    }
}
