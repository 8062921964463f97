namespace Nerve.Evaluation;

/// <summary>
/// The chunk counting of the conlleval script (version 2004-01-26), fed one token at a time.
/// Tags are split at their first hyphen into chunk tag and type ("B-date-time" → B, date-time);
/// a tag without a hyphen has the empty type. Both <see cref="ConllEval.Run"/> and
/// <see cref="ConllEval.Evaluate"/> count with this class.
/// </summary>
public sealed class ConllEvaluator
{
    private readonly bool _raw;
    private readonly string _oTag;
    private readonly Dictionary<string, long> _correctChunkByType = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _foundCorrectByType = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _foundGuessedByType = new(StringComparer.Ordinal);
    private long _correctChunk, _correctTags, _foundCorrect, _foundGuessed, _tokens;
    private bool _inCorrect;
    private string _lastCorrect = "O", _lastGuessed = "O", _lastCorrectType = "", _lastGuessedType = "";

    /// <param name="raw">The script's -r: every tag other than <paramref name="oTag"/> is a one-token chunk.</param>
    /// <param name="oTag">The script's -o: the outside tag in raw mode.</param>
    public ConllEvaluator(bool raw = false, string oTag = "O")
    {
        ArgumentNullException.ThrowIfNull(oTag);
        _raw = raw;
        _oTag = oTag;
    }

    /// <summary>Scores one token with its gold and predicted tag.</summary>
    public void Add(string gold, string guessed)
    {
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(guessed);
        if (_raw)
        {
            gold = RawTag(gold);
            guessed = RawTag(guessed);
        }
        var (correct, correctType) = SplitTag(gold);
        var (guessedTag, guessedType) = SplitTag(guessed);
        Step(correct, correctType, guessedTag, guessedType, boundary: false);
    }

    /// <summary>A sentence boundary (a blank line or a "-X-" line): outside any chunk, not a token.</summary>
    public void AddBoundary() => Step("O", "", "O", "", boundary: true);

    /// <summary>The scores so far; a chunk still open counts as ended.</summary>
    public ConllEvalResult Result()
    {
        long correctChunk = _correctChunk;
        var correctByType = new Dictionary<string, long>(_correctChunkByType, StringComparer.Ordinal);
        if (_inCorrect)
        {
            correctChunk++;
            Increment(correctByType, _lastCorrectType);
        }

        var names = _foundCorrectByType.Keys.Union(_foundGuessedByType.Keys, StringComparer.Ordinal).ToList();
        names.Sort(CompareBytes);
        var types = new List<ConllTypeScore>(names.Count);
        foreach (var name in names)
        {
            long found = _foundGuessedByType.GetValueOrDefault(name);
            long gold = _foundCorrectByType.GetValueOrDefault(name);
            long correct = correctByType.GetValueOrDefault(name);
            double precision = found > 0 ? 100.0 * correct / found : 0.0;
            double recall = gold > 0 ? 100.0 * correct / gold : 0.0;
            double f1 = precision + recall == 0.0 ? 0.0 : 2 * precision * recall / (precision + recall);
            types.Add(new ConllTypeScore(name, precision, recall, f1, found, gold, correct));
        }
        return new ConllEvalResult(_tokens, _foundCorrect, _foundGuessed, correctChunk, _correctTags, types);
    }

    private string RawTag(string tag)
    {
        if (tag == _oTag)
            tag = "O";
        return tag == "O" ? tag : "B-" + tag;
    }

    // The script's /^([^-]*)-(.*)$/, then a falsy type ("" or "0") becomes "".
    internal static (string Tag, string Type) SplitTag(string tag)
    {
        int dash = tag.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
            return (tag, "");
        var type = tag[(dash + 1)..];
        return (tag[..dash], type == "0" ? "" : type);
    }

    private void Step(string correct, string correctType, string guessed, string guessedType, bool boundary)
    {
        if (boundary)
            guessed = "O";
        bool endCorrect = EndOfChunk(_lastCorrect, correct, _lastCorrectType, correctType);
        bool endGuessed = EndOfChunk(_lastGuessed, guessed, _lastGuessedType, guessedType);
        bool startCorrect = StartOfChunk(_lastCorrect, correct, _lastCorrectType, correctType);
        bool startGuessed = StartOfChunk(_lastGuessed, guessed, _lastGuessedType, guessedType);

        if (_inCorrect)
        {
            if (endCorrect && endGuessed && _lastGuessedType == _lastCorrectType)
            {
                _inCorrect = false;
                _correctChunk++;
                Increment(_correctChunkByType, _lastCorrectType);
            }
            else if (endCorrect != endGuessed || guessedType != correctType)
            {
                _inCorrect = false;
            }
        }
        if (startCorrect && startGuessed && guessedType == correctType)
            _inCorrect = true;
        if (startCorrect)
        {
            _foundCorrect++;
            Increment(_foundCorrectByType, correctType);
        }
        if (startGuessed)
        {
            _foundGuessed++;
            Increment(_foundGuessedByType, guessedType);
        }
        if (!boundary)
        {
            if (correct == guessed && guessedType == correctType)
                _correctTags++;
            _tokens++;
        }
        _lastCorrect = correct;
        _lastGuessed = guessed;
        _lastCorrectType = correctType;
        _lastGuessedType = guessedType;
    }

    internal static bool EndOfChunk(string prevTag, string tag, string prevType, string type) =>
        (prevTag == "B" && tag is "B" or "O")
        || (prevTag == "I" && tag is "B" or "O")
        || (prevTag == "E" && tag is "E" or "I" or "O")
        || (prevTag != "O" && prevTag != "." && prevType != type)
        || prevTag is "]" or "[";

    internal static bool StartOfChunk(string prevTag, string tag, string prevType, string type) =>
        (prevTag == "B" && tag == "B")
        || (prevTag == "I" && tag == "B")
        || (prevTag == "O" && tag is "B" or "I" or "E")
        || (prevTag == "E" && tag is "E" or "I")
        || (tag != "O" && tag != "." && prevType != type)
        || tag is "[" or "]";

    private static void Increment(Dictionary<string, long> counts, string key) =>
        counts[key] = counts.GetValueOrDefault(key) + 1;

    // Perl sorts strings by bytes; for UTF-8 that is the order of Unicode scalar values.
    private static int CompareBytes(string a, string b)
    {
        var ea = a.EnumerateRunes();
        var eb = b.EnumerateRunes();
        while (true)
        {
            bool ha = ea.MoveNext(), hb = eb.MoveNext();
            if (!ha || !hb)
                return ha.CompareTo(hb);
            int c = ea.Current.Value.CompareTo(eb.Current.Value);
            if (c != 0)
                return c;
        }
    }
}
