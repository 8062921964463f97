using System.Globalization;
using System.Text;
using System.Text.Json;
using Nerve.Features;

namespace Nerve.Evaluation;

/// <summary>Phrase counts of one subset of entities, with conlleval's precision, recall and FB1 in percent.</summary>
public sealed record PhraseScore(long Gold, long Found, long Correct)
{
    public double Precision => Found > 0 ? 100.0 * Correct / Found : 0.0;
    public double Recall => Gold > 0 ? 100.0 * Correct / Gold : 0.0;
    public double F1 => Precision + Recall == 0.0 ? 0.0 : 2 * Precision * Recall / (Precision + Recall);
}

/// <summary>
/// How much of a gold corpus the model's vocabulary covers, and the phrase scores of three subsets of entities: all of
/// whose words occurred in training; with at least one word unseen in training; with at least one word without a
/// pretrained vector. A phrase (gold or predicted) falls in a subset by its own words, so a correct phrase counts in
/// the same subsets as its gold twin.
/// </summary>
public sealed record VocabularyBreakdown(
    long Tokens, long TokensWithVector, long TokensSeen,
    long EntityTokens, long EntityTokensWithVector, long EntityTokensSeen,
    PhraseScore Seen, PhraseScore UnseenInTraining, PhraseScore UnseenInVectors)
{
    private static double Share(long part, long whole) => whole > 0 ? 100.0 * part / whole : 0.0;

    /// <summary>The note printed when the model does not record its word sources.</summary>
    public const string UnknownNote = "vocabulary coverage: unknown (the model file predates the record of which words had vectors or occurred in training; retrain it to see coverage and --breakdown)";

    /// <summary>One line: the shares of tokens and gold entity tokens that have a vector, and that occurred in training.</summary>
    public string FormatCoverage()
    {
        var inv = CultureInfo.InvariantCulture;
        return string.Create(inv,
            $"vocabulary coverage: {Share(TokensWithVector, Tokens):F2}% of tokens ({TokensWithVector}/{Tokens}) and {Share(EntityTokensWithVector, EntityTokens):F2}% of entity tokens ({EntityTokensWithVector}/{EntityTokens}) have a vector; "
            + $"{Share(TokensSeen, Tokens):F2}% and {Share(EntityTokensSeen, EntityTokens):F2}% occurred in training\n");
    }

    /// <summary>The three subsets' counts and scores, one row each, in conlleval's figures.</summary>
    public string FormatBreakdown()
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append("entities by vocabulary (phrases, conlleval-style):\n");
        sb.Append("                                  gold   found correct  precision   recall     FB1\n");
        foreach (var (name, s) in Rows())
            sb.Append(inv, $"{name,-30} {s.Gold,7} {s.Found,7} {s.Correct,7} {s.Precision,9:F2}% {s.Recall,7:F2}% {s.F1,7:F2}\n");
        return sb.ToString();
    }

    public IEnumerable<(string Name, PhraseScore Score)> Rows()
    {
        yield return ("all words seen in training", Seen);
        yield return (">= 1 word unseen in training", UnseenInTraining);
        yield return (">= 1 word without a vector", UnseenInVectors);
    }

    /// <summary>Writes the "vocabulary" object of metrics.json: coverage fractions and, with <paramref name="breakdown"/>, the subsets.</summary>
    public void WriteJson(Utf8JsonWriter j, bool breakdown)
    {
        j.WriteStartObject("vocabulary");
        j.WriteNumber("tokens", Tokens);
        j.WriteNumber("tokens_with_vector", TokensWithVector);
        j.WriteNumber("tokens_seen_in_training", TokensSeen);
        j.WriteNumber("entity_tokens", EntityTokens);
        j.WriteNumber("entity_tokens_with_vector", EntityTokensWithVector);
        j.WriteNumber("entity_tokens_seen_in_training", EntityTokensSeen);
        if (breakdown)
        {
            j.WriteStartObject("breakdown");
            foreach (var (key, s) in new[] { ("seen_in_training", Seen), ("unseen_in_training", UnseenInTraining), ("unseen_in_vectors", UnseenInVectors) })
            {
                j.WriteStartObject(key);
                j.WriteNumber("gold", s.Gold);
                j.WriteNumber("found", s.Found);
                j.WriteNumber("correct", s.Correct);
                j.WriteNumber("precision", Math.Round(s.Precision, 2));
                j.WriteNumber("recall", Math.Round(s.Recall, 2));
                j.WriteNumber("fb1", Math.Round(s.F1, 2));
                j.WriteEndObject();
            }
            j.WriteEndObject();
        }
        j.WriteEndObject();
    }
}

/// <summary>
/// Accumulates a <see cref="VocabularyBreakdown"/> one sentence at a time (any order, any batching). Phrases are found
/// with conlleval's chunk boundaries; <c>raw</c> is conlleval -r (every non-O token its own phrase).
/// </summary>
public sealed class BreakdownAccumulator(WordSources sources, bool raw = false)
{
    private long _tokens, _tokensWithVector, _tokensSeen, _entityTokens, _entityWithVector, _entitySeen;
    private readonly long[] _gold = new long[3], _found = new long[3], _correct = new long[3];
    private readonly List<(int Start, int End, string Type)> _goldPhrases = [], _foundPhrases = [];
    private bool[] _vector = [], _seen = [];

    /// <summary>One sentence: its words, gold tags and predicted tags (the corpus scheme), all of one length.</summary>
    public void Add(IReadOnlyList<string> words, IReadOnlyList<string> gold, IReadOnlyList<string> predicted)
    {
        int n = words.Count;
        if (gold.Count != n || predicted.Count != n)
            throw new ArgumentException($"{n} words with {gold.Count} gold and {predicted.Count} predicted tags");
        if (_vector.Length < n) { _vector = new bool[n]; _seen = new bool[n]; }
        for (int i = 0; i < n; i++)
        {
            bool v = _vector[i] = sources.HasVector(words[i]);
            bool s = _seen[i] = sources.SeenInTraining(words[i]);
            _tokens++;
            if (v) _tokensWithVector++;
            if (s) _tokensSeen++;
            if (gold[i] != "O")
            {
                _entityTokens++;
                if (v) _entityWithVector++;
                if (s) _entitySeen++;
            }
        }
        Phrases(gold, _goldPhrases);
        Phrases(predicted, _foundPhrases);
        foreach (var p in _goldPhrases) Count(_gold, p);
        foreach (var p in _foundPhrases)
        {
            Count(_found, p);
            if (_goldPhrases.Contains(p)) Count(_correct, p);
        }
    }

    private void Count(long[] counts, (int Start, int End, string Type) p)
    {
        bool allSeen = true, allVectors = true;
        for (int i = p.Start; i < p.End; i++)
        {
            allSeen &= _seen[i];
            allVectors &= _vector[i];
        }
        counts[allSeen ? 0 : 1]++;
        if (!allVectors) counts[2]++;
    }

    /// <summary>The phrases [Start, End) of <paramref name="tags"/> by conlleval's start and end of chunk.</summary>
    private void Phrases(IReadOnlyList<string> tags, List<(int, int, string)> phrases)
    {
        phrases.Clear();
        string lastTag = "O", lastType = "";
        int start = -1;
        for (int i = 0; i <= tags.Count; i++)
        {
            var (tag, type) = i < tags.Count ? ConllEvaluator.SplitTag(raw ? Raw(tags[i]) : tags[i]) : ("O", "");
            if (start >= 0 && ConllEvaluator.EndOfChunk(lastTag, tag, lastType, type))
            {
                phrases.Add((start, i, lastType));
                start = -1;
            }
            if (ConllEvaluator.StartOfChunk(lastTag, tag, lastType, type)) start = i;
            lastTag = tag;
            lastType = type;
        }
    }

    private static string Raw(string tag) => tag == "O" ? tag : "B-" + tag;

    public VocabularyBreakdown Result() => new(
        _tokens, _tokensWithVector, _tokensSeen, _entityTokens, _entityWithVector, _entitySeen,
        new PhraseScore(_gold[0], _found[0], _correct[0]),
        new PhraseScore(_gold[1], _found[1], _correct[1]),
        new PhraseScore(_gold[2], _found[2], _correct[2]));
}
