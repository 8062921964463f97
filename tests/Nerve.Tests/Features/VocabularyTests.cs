using Nerve.Corpus;
using Nerve.Features;

namespace Nerve.Tests.Features;

public class VocabularyTests
{
    private static readonly HashSet<string> Known = ["the", "dgdg", "DGDGDGDG", "DG.DG", WordNormalizer.Number, WordNormalizer.Unknown];

    [Theory]
    [InlineData("The", true, "the")]
    [InlineData("The", false, WordNormalizer.Unknown)]
    [InlineData("1996", true, "DGDGDGDG")]
    [InlineData("3.5", true, "DG.DG")]
    [InlineData("12", true, WordNormalizer.Number)]
    [InlineData("1-2", true, WordNormalizer.Number)]
    [InlineData("Zorblax", true, WordNormalizer.Unknown)]
    public void Normalize_follows_pa4_fallbacks(string word, bool lowercase, string expected)
        => Assert.Equal(expected, WordNormalizer.Normalize(word, lowercase, Known.Contains));

    [Fact]
    public void Normalize_without_number_entry_gives_unknown()
        => Assert.Equal(WordNormalizer.Unknown, WordNormalizer.Normalize("42", true, w => w == "x"));

    [Fact]
    public void Digit_shape_replaces_each_ascii_digit()
    {
        Assert.Equal("DGDGDGDG-DGDG", WordNormalizer.DigitShape("1996-08"));
        Assert.Equal("abc", WordNormalizer.DigitShape("abc"));
    }

    [Fact]
    public void From_words_appends_missing_specials_and_keeps_order()
    {
        var v = Vocabulary.FromWords(["UUUNKKK", "the", "<s>", "the", "cat"]);
        Assert.Equal(["UUUNKKK", "the", "<s>", "cat", "</s>", "NNNUMMM"], v.Words);
        Assert.Equal(0, v.UnknownIndex);
        Assert.Equal(2, v.StartIndex);
        Assert.Equal(4, v.EndIndex);
        Assert.Equal(5, v.NumberIndex);
        Assert.Equal("cat", v[3]);
        Assert.Equal(-1, v.IndexOf("dog"));
        Assert.True(v.Contains("the"));
    }

    [Fact]
    public void Lookup_never_fails_and_matches_normalize()
    {
        var v = Vocabulary.FromWords(["UUUNKKK", "the", "DGDGDGDG", "Paris"]);
        Assert.Equal(1, v.Lookup("THE"));
        Assert.Equal(2, v.Lookup("1996"));
        Assert.Equal(v.NumberIndex, v.Lookup("12.5"));
        Assert.Equal(v.UnknownIndex, v.Lookup("Paris"));
        Assert.Equal(v.UnknownIndex, v.Lookup(""));
        var longWord = new string('x', 200) + "1";
        Assert.Equal(v.NumberIndex, v.Lookup(longWord));
        foreach (var w in new[] { "The", "1996", "12.5", "Paris", "zzz", longWord })
            Assert.Equal(v.IndexOf(WordNormalizer.Normalize(w, true, v.Contains)), v.Lookup(w));

        var cased = Vocabulary.FromWords(["Paris"], lowercase: false);
        Assert.Equal(0, cased.Lookup("Paris"));
        Assert.Equal(cased.UnknownIndex, cased.Lookup("paris"));
    }

    [Fact]
    public void Build_from_corpus_orders_by_frequency_then_ordinal()
    {
        var sentences = new[]
        {
            new Sentence(["b", "A", "a", "1996"], ["O", "O", "O", "O"]),
            new Sentence(["c", "b", "2001", "x"], ["O", "O", "O", "O"]),
        };
        var v = Vocabulary.BuildFromCorpus(sentences, minCount: 1, lowercase: true);
        Assert.Equal(["UUUNKKK", "<s>", "</s>", "NNNUMMM", "DGDGDGDG", "a", "b", "c", "x"], v.Words);
        var again = Vocabulary.BuildFromCorpus(sentences.Reverse(), minCount: 1, lowercase: true);
        Assert.Equal(v.Words, again.Words);
        var frequent = Vocabulary.BuildFromCorpus(sentences, minCount: 2, lowercase: true);
        Assert.Equal(["UUUNKKK", "<s>", "</s>", "NNNUMMM", "DGDGDGDG", "a", "b"], frequent.Words);
        Assert.Equal(frequent.IndexOf("DGDGDGDG"), frequent.Lookup("1066"));
    }

    [Fact]
    public void Extend_appends_only_new_words()
    {
        var v = Vocabulary.FromWords(["the"], lowercase: false);
        var e = v.Extend(["cat", "the", "dog"]);
        Assert.Equal([.. v.Words, "cat", "dog"], e.Words);
        Assert.False(e.Lowercase);
        Assert.Equal(5, v.Count);
    }

    [Fact]
    public void Load_reads_one_word_per_line_and_rejects_duplicates()
    {
        using var dir = new TempDir();
        var v = Vocabulary.Load(dir.Write("vocab.txt", "UUUNKKK\nthe\r\n<s>\n</s>\nNNNUMMM\n"));
        Assert.Equal(["UUUNKKK", "the", "<s>", "</s>", "NNNUMMM"], v.Words);
        var path = dir.Write("dup.txt", "a\nb\na\n");
        var e = Assert.Throws<NerveDataException>(() => Vocabulary.Load(path));
        Assert.Equal($"{path}:3: expected each word once, found \"a\" again (first on line 1)", e.Message);
        path = dir.Write("blank.txt", "a\n\nb\n");
        Assert.Equal(2, Assert.Throws<NerveDataException>(() => Vocabulary.Load(path)).Line);
    }
}
