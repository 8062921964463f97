using System.Text;
using Nerve.Corpus;
using Nerve.IO;

namespace Nerve.Features;

/// <summary>
/// Where a model's words came from: for each vocabulary row, whether it was given a pretrained vector and whether a
/// training token looked it up; and the case-normalised training words too rare for the vocabulary (they map to
/// UUUNKKK). A raw word is judged through <see cref="Vocabulary.Lookup(string)"/>, the normalisation the model uses.
/// </summary>
public sealed class WordSources
{
    /// <summary>Row flag: the row was initialised from the pretrained vectors.</summary>
    public const byte Pretrained = 1;

    /// <summary>Row flag: some training token looked this row up.</summary>
    public const byte Trained = 2;

    /// <summary>Tensor of one flag byte per vocabulary row, shape (V).</summary>
    public const string TensorName = "nerve.vocabulary.sources";

    /// <summary>Tensor of the rare training words, UTF-8, one a line.</summary>
    public const string RareTensorName = "nerve.vocabulary.rare_train_words";

    private readonly byte[] _flags;
    private readonly HashSet<string> _rare;

    private WordSources(Vocabulary words, byte[] flags, HashSet<string> rare)
    {
        if (flags.Length != words.Count)
            throw new ArgumentException($"{flags.Length} flags for a vocabulary of {words.Count} words", nameof(flags));
        Words = words;
        _flags = flags;
        _rare = rare;
    }

    public Vocabulary Words { get; }

    /// <summary>The flag byte of vocabulary row <paramref name="row"/>.</summary>
    public byte Flags(int row) => _flags[row];

    /// <summary>Training words that map to UUUNKKK, case-normalised as the vocabulary does.</summary>
    public int RareCount => _rare.Count;

    /// <summary>
    /// The sources of <paramref name="words"/>: a row is <see cref="Pretrained"/> if <paramref name="hasVector"/> says so
    /// of its entry, and <see cref="Trained"/> if a token of <paramref name="train"/> looks it up; UUUNKKK is neither.
    /// </summary>
    public static WordSources Build(Vocabulary words, IEnumerable<Sentence> train, Func<string, bool>? hasVector)
    {
        var flags = new byte[words.Count];
        if (hasVector is not null)
            for (int i = 0; i < flags.Length; i++)
                if (hasVector(words[i])) flags[i] = Pretrained;
        var rare = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in train)
            foreach (var w in s.Words)
            {
                int i = words.Lookup(w);
                flags[i] |= Trained;
                if (i == words.UnknownIndex) rare.Add(Key(words, w));
            }
        flags[words.UnknownIndex] = 0; // an unknown word has no vector of its own; the rare set says if it was seen
        return new WordSources(words, flags, rare);
    }

    private static string Key(Vocabulary words, string raw) => words.Lowercase ? raw.ToLowerInvariant() : raw;

    /// <summary>Whether <paramref name="raw"/> looks up a row that has a pretrained vector.</summary>
    public bool HasVector(string raw) => (_flags[Words.Lookup(raw)] & Pretrained) != 0;

    /// <summary>Whether a training token had the same normalised form as <paramref name="raw"/>.</summary>
    public bool SeenInTraining(string raw)
    {
        int i = Words.Lookup(raw);
        return i == Words.UnknownIndex ? _rare.Contains(Key(Words, raw)) : (_flags[i] & Trained) != 0;
    }

    public void Save(SafeTensorsWriter w)
    {
        w.Add(TensorName, _flags, _flags.LongLength);
        var rare = Encoding.UTF8.GetBytes(string.Join('\n', _rare.Order(StringComparer.Ordinal)));
        w.Add(RareTensorName, rare, rare.LongLength);
    }

    /// <summary>The sources saved by <see cref="Save"/>; null for a model written before they were recorded.</summary>
    public static WordSources? Load(SafeTensorsFile f, string path, Vocabulary words)
    {
        if (!f.Contains(TensorName)) return null;
        var flags = f.GetBytes(TensorName, out _);
        if (flags.Length != words.Count)
            throw new NerveDataException(path, 0, $"tensor '{TensorName}' with {words.Count} flags", $"{flags.Length}");
        if (!f.Contains(RareTensorName)) throw new NerveDataException(path, 0, $"tensor '{RareTensorName}'", "no such tensor");
        var text = Encoding.UTF8.GetString(f.GetBytes(RareTensorName, out _));
        var rare = new HashSet<string>(text.Length == 0 ? [] : text.Split('\n'), StringComparer.Ordinal);
        return new WordSources(words, flags, rare);
    }
}
