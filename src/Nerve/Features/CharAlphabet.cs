using System.Text;

namespace Nerve.Features;

/// <summary>
/// The characters of the character-level convolution (CharWNN, dos Santos &amp; Guimarães 2015) and how a word becomes
/// a fixed row of <see cref="MaxLength"/> character ids: ⟨w⟩, the word's characters, ⟨/w⟩, then padding. Characters are
/// taken from the original-case word (UTF-16 code units): CharWNN embeds characters as written, and case is what
/// marks a name in CoNLL text. A word longer than <see cref="MaxLength"/> − 2 keeps its first ⌈(max − 2)/2⌉ and its last
/// ⌊(max − 2)/2⌋ characters, so that both prefix and suffix survive. Ids: 0 padding, 1 unknown character, 2 ⟨w⟩,
/// 3 ⟨/w⟩, then the alphabet in ordinal order.
/// </summary>
public sealed class CharAlphabet
{
    public const int Padding = 0, Unknown = 1, Begin = 2, End = 3, Reserved = 4;

    private readonly Dictionary<char, int> _ids = [];

    public CharAlphabet(string characters, int maxLength)
    {
        if (maxLength < 3) throw new NerveException($"--char-max must be ≥ 3 (⟨w⟩, a character, ⟨/w⟩), found {maxLength}");
        Characters = characters;
        MaxLength = maxLength;
        foreach (char c in characters)
            if (!_ids.TryAdd(c, _ids.Count + Reserved)) throw new NerveException($"character alphabet lists '{c}' twice");
    }

    /// <summary>The alphabet from every character of the training words (ordinal order).</summary>
    public static CharAlphabet Build(IEnumerable<string> words, int maxLength)
    {
        var seen = new SortedSet<char>();
        foreach (var w in words)
            foreach (char c in w) seen.Add(c);
        var sb = new StringBuilder(seen.Count);
        foreach (char c in seen) sb.Append(c);
        return new CharAlphabet(sb.ToString(), maxLength);
    }

    /// <summary>The characters with their own embedding, in id order from <see cref="Reserved"/>.</summary>
    public string Characters { get; }

    /// <summary>Character ids per word, ⟨w⟩ and ⟨/w⟩ included.</summary>
    public int MaxLength { get; }

    /// <summary>Rows of the character table: the reserved ids and the alphabet.</summary>
    public int Size => Reserved + Characters.Length;

    /// <summary>ids (MaxLength): ⟨w⟩ c1 … cn ⟨/w⟩ 0 … 0, truncated in the middle when n &gt; MaxLength − 2.</summary>
    public void Encode(ReadOnlySpan<char> word, Span<int> ids)
    {
        int room = MaxLength - 2;
        int head = word.Length <= room ? word.Length : (room + 1) / 2;
        int tail = word.Length <= room ? 0 : room - head;
        int k = 0;
        ids[k++] = Begin;
        for (int i = 0; i < head; i++) ids[k++] = Id(word[i]);
        for (int i = word.Length - tail; i < word.Length; i++) ids[k++] = Id(word[i]);
        ids[k++] = End;
        ids[k..MaxLength].Clear();
    }

    /// <summary>ids (MaxLength) of the empty word ⟨w⟩ ⟨/w⟩, the characters of the &lt;s&gt; and &lt;/s&gt; padding.</summary>
    public void EncodeEmpty(Span<int> ids) => Encode([], ids);

    private int Id(char c) => _ids.TryGetValue(c, out int id) ? id : Unknown;
}
