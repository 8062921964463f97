namespace Nerve.Features;

/// <summary>
/// CS224N PA4 word normalisation: lowercase, then fall back to the digit shape (each digit → "DG"),
/// then to NNNUMMM for numbers, then to UUUNKKK.
/// </summary>
public static class WordNormalizer
{
    public const string Unknown = "UUUNKKK";
    public const string Start = "<s>";
    public const string End = "</s>";
    public const string Number = "NNNUMMM";

    /// <summary>The vocabulary entry that stands for <paramref name="word"/>.</summary>
    public static string Normalize(string word, bool lowercase, Func<string, bool> inVocabulary)
    {
        var w = lowercase ? word.ToLowerInvariant() : word;
        if (inVocabulary(w))
            return w;
        if (w.AsSpan().IndexOfAnyInRange('0', '9') >= 0)
        {
            var shape = DigitShape(w);
            if (inVocabulary(shape))
                return shape;
            if (inVocabulary(Number))
                return Number;
        }
        return Unknown;
    }

    /// <summary>Each ASCII digit replaced by "DG": "1996" → "DGDGDGDG", "3.5" → "DG.DG".</summary>
    public static string DigitShape(string word)
    {
        var digits = CountDigits(word);
        if (digits == 0)
            return word;
        return string.Create(word.Length + digits, word, static (dest, w) => WriteDigitShape(w, dest));
    }

    internal static int CountDigits(ReadOnlySpan<char> word)
    {
        var n = 0;
        foreach (var c in word)
        {
            if (char.IsAsciiDigit(c))
                n++;
        }
        return n;
    }

    /// <summary>Writes the digit shape of <paramref name="word"/> into <paramref name="dest"/>, which holds length + digit count chars.</summary>
    internal static void WriteDigitShape(ReadOnlySpan<char> word, Span<char> dest)
    {
        var j = 0;
        foreach (var c in word)
        {
            if (char.IsAsciiDigit(c))
            {
                dest[j++] = 'D';
                dest[j++] = 'G';
            }
            else
            {
                dest[j++] = c;
            }
        }
    }
}
