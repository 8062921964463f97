using Nerve.Corpus;
using Nerve.Evaluation;
using Nerve.Features;
using Nerve.Model;

namespace Nerve.Tests.Evaluation;

public class BreakdownTests
{
    private static Sentence S(string words, string tags) => new(words.Split(' '), tags.Split(' '));

    /// <summary>
    /// Vectors for paris, berlin, visited and the digits; training text "John visited Paris 1999 Zork": john and zork
    /// are rare (min count 2 keeps them out), paris and visited occurred, berlin did not.
    /// </summary>
    private static WordSources Sources()
    {
        var words = Vocabulary.FromWords(["paris", "berlin", "visited", "1999"]);
        var train = new[] { S("John visited Paris 1999 Zork", "B-PER O B-LOC O B-ORG") };
        return WordSources.Build(words, train, w => w is "paris" or "berlin" or "visited" or "1999");
    }

    [Fact]
    public void Sources_follow_the_vocabulary_lookup()
    {
        var s = Sources();
        Assert.True(s.HasVector("PARIS"));
        Assert.True(s.SeenInTraining("Paris"));
        Assert.True(s.HasVector("Berlin"));
        Assert.False(s.SeenInTraining("Berlin"));
        Assert.False(s.HasVector("John")); // UUUNKKK has no vector of its own
        Assert.True(s.SeenInTraining("JOHN")); // rare, but seen (case-normalised as the vocabulary)
        Assert.False(s.SeenInTraining("Mary"));
        Assert.False(s.HasVector("2001")); // a number not in the vectors is NNNUMMM
        Assert.Equal(2, s.RareCount);
    }

    [Fact]
    public void Coverage_counts_tokens_and_gold_entity_tokens()
    {
        var acc = new BreakdownAccumulator(Sources());
        var gold = S("Mary visited Berlin and Paris", "B-PER O B-LOC O B-LOC");
        acc.Add(gold.Words, gold.Tags, gold.Tags);
        var r = acc.Result();
        Assert.Equal((5L, 3L, 2L), (r.Tokens, r.TokensWithVector, r.TokensSeen)); // visited, berlin, paris / visited, paris
        Assert.Equal((3L, 2L, 1L), (r.EntityTokens, r.EntityTokensWithVector, r.EntityTokensSeen));
        Assert.StartsWith("vocabulary coverage: 60.00% of tokens (3/5) and 66.67% of entity tokens (2/3) have a vector; 40.00% and 33.33% occurred in training", r.FormatCoverage());
    }

    [Fact]
    public void Phrases_fall_in_subsets_by_their_own_words()
    {
        var acc = new BreakdownAccumulator(Sources());
        // Gold: [Mary Zork]PER (unseen word, no vectors), [Berlin]LOC (unseen, has a vector), [Paris]LOC (seen).
        // Predicted: [Mary Zork]PER right, [Berlin]ORG wrong type, [visited]LOC spurious (seen), Paris missed.
        var words = "Mary Zork visited Berlin and Paris".Split(' ');
        acc.Add(words, "B-PER I-PER O B-LOC O B-LOC".Split(' '), "B-PER I-PER B-LOC B-ORG O O".Split(' '));
        var r = acc.Result();
        Assert.Equal(new PhraseScore(1, 1, 0), r.Seen); // gold Paris, found visited
        Assert.Equal(new PhraseScore(2, 2, 1), r.UnseenInTraining); // Mary Zork and Berlin, both ways
        Assert.Equal(new PhraseScore(1, 1, 1), r.UnseenInVectors); // Mary Zork
        Assert.Equal(50.0, r.UnseenInTraining.F1, 10);
        Assert.Equal(0.0, r.Seen.F1);
        var table = r.FormatBreakdown();
        Assert.Contains("all words seen in training", table, StringComparison.Ordinal);
        Assert.Contains(">= 1 word without a vector", table, StringComparison.Ordinal);
    }

    [Fact]
    public void Phrase_boundaries_are_conlleval_s_for_iob1()
    {
        var acc = new BreakdownAccumulator(Sources());
        // IOB1: "I-LOC I-LOC" is one phrase, "I-LOC B-LOC" two; predicted as one phrase it matches neither.
        var words = "Paris Berlin Paris Berlin".Split(' ');
        acc.Add(words, "I-LOC I-LOC O I-LOC".Split(' '), "I-LOC I-LOC O I-PER".Split(' '));
        acc.Add(["Paris", "Paris"], ["I-LOC", "B-LOC"], ["I-LOC", "I-LOC"]);
        var r = acc.Result();
        Assert.Equal(new PhraseScore(2, 1, 0), r.Seen); // gold [Paris] [Paris], found [Paris Paris]
        Assert.Equal(new PhraseScore(2, 2, 1), r.UnseenInTraining); // [Paris Berlin] right, [Berlin] LOC vs PER
    }

    [Fact]
    public void A_model_keeps_its_sources_through_save_and_load_and_an_old_file_has_none()
    {
        var model = SmallModel.Model;
        Assert.NotNull(model.Sources);
        var loaded = NerModel.Load(SmallModel.Path);
        Assert.NotNull(loaded.Sources);
        for (int i = 0; i < model.Words.Count; i++) Assert.Equal(model.Sources!.Flags(i), loaded.Sources!.Flags(i));
        Assert.Equal(model.Sources!.RareCount, loaded.Sources!.RareCount);
        Assert.True(loaded.Sources.SeenInTraining("the"));
        Assert.False(loaded.Sources.HasVector("the")); // the small model has no pretrained vectors

        string old = Path.Combine(Path.GetTempPath(), $"nerve-breakdown-{Environment.ProcessId}.nerve");
        try
        {
            loaded.Sources = null;
            loaded.Save(old);
            Assert.Null(NerModel.Load(old).Sources);
        }
        finally
        {
            File.Delete(old);
        }
    }
}
