namespace Nerve.Text;

/// <summary>
/// Converts offsets between UTF-16 code units (string indices in C#, Java and JavaScript: what <see cref="TextToken"/>
/// carries) and Unicode code points (string indices in Python 3, Rust's <c>chars()</c>). The two differ only after a
/// character outside the Basic Multilingual Plane (an emoji, a rare CJK ideograph), which is two UTF-16 units and one
/// code point. A code-point offset counts the code points that start before the UTF-16 offset, so an offset between
/// the two halves of a surrogate pair (which no token has) counts the pair. A lone surrogate is one code point.
/// </summary>
public static class TextOffsets
{
    /// <summary>The code-point offset of the UTF-16 offset <paramref name="utf16Offset"/> in <paramref name="text"/>.</summary>
    public static int ToCodePoints(string text, int utf16Offset)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(utf16Offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(utf16Offset, text.Length);
        return utf16Offset - PairsBefore(text, 0, utf16Offset);
    }

    /// <summary>The UTF-16 offset of the code-point offset <paramref name="codePointOffset"/> in <paramref name="text"/>.</summary>
    public static int ToUtf16(string text, int codePointOffset)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(codePointOffset);
        int k = 0;
        for (int cp = 0; cp < codePointOffset; cp++)
        {
            if (k >= text.Length) throw new ArgumentOutOfRangeException(nameof(codePointOffset), codePointOffset, "past the end of the text");
            k += char.IsSurrogatePair(text, k) ? 2 : 1;
        }
        return k;
    }

    /// <summary>
    /// The [Start, End) code-point offsets of <paramref name="tokens"/> (tokens of <paramref name="text"/> in order, as
    /// <see cref="Tokenizer.Tokenize"/> gives them), in one pass over the text.
    /// </summary>
    public static (int Start, int End)[] ToCodePoints(string text, IReadOnlyList<TextToken> tokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(tokens);
        var result = new (int Start, int End)[tokens.Count];
        int at = 0, pairs = 0; // pairs = surrogate pairs that start before `at`
        for (int t = 0; t < tokens.Count; t++)
        {
            int start = Walk(text, tokens[t].Start, ref at, ref pairs);
            int end = Walk(text, tokens[t].End, ref at, ref pairs);
            result[t] = (start, end);
        }
        return result;
    }

    /// <summary>Moves the cursor to <paramref name="offset"/> (restarting from 0 if it lies behind) and converts it.</summary>
    private static int Walk(string text, int offset, ref int at, ref int pairs)
    {
        if ((uint)offset > (uint)text.Length) throw new ArgumentOutOfRangeException(nameof(offset), offset, "outside the text");
        if (offset < at)
        {
            at = 0;
            pairs = 0;
        }
        pairs += PairsBefore(text, at, offset);
        at = offset;
        return offset - pairs;
    }

    /// <summary>The surrogate pairs whose low half lies in [from, to) (each is one code point in two units).</summary>
    private static int PairsBefore(string text, int from, int to)
    {
        int pairs = 0;
        for (int k = Math.Max(from, 1); k < to; k++)
            if (char.IsLowSurrogate(text[k]) && char.IsHighSurrogate(text[k - 1])) pairs++;
        return pairs;
    }
}
