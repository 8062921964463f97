using System.Globalization;
using System.Runtime.CompilerServices;

namespace Nerve.Vectors;

/// <summary>
/// Parses decimal floats from UTF-8 with the same result as <see cref="float.Parse(ReadOnlySpan{byte}, NumberStyles, IFormatProvider?)"/>.
/// Fast path (Clinger's): at most 7 significant digits (the mantissa is exact in a float) and a decimal exponent within ±10
/// (10^e is exact in a float), so one correctly rounded float multiply or divide gives the correctly rounded value.
/// Everything else goes to float.TryParse. NaN and infinities are not numbers here.
/// </summary>
internal static class FloatParser
{
    private static readonly float[] PowersOf10 = [1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParse(ReadOnlySpan<byte> s, out float value)
    {
        var i = 0;
        var negative = false;
        if (i < s.Length && (s[i] == '-' || s[i] == '+'))
        {
            negative = s[i] == '-';
            i++;
        }
        uint mantissa = 0;
        int significant = 0, scale = 0;
        var anyDigit = false;
        while (i < s.Length && (uint)(s[i] - '0') <= 9)
        {
            AddDigit(s[i] - '0', ref mantissa, ref significant);
            anyDigit = true;
            i++;
        }
        if (i < s.Length && s[i] == '.')
        {
            i++;
            while (i < s.Length && (uint)(s[i] - '0') <= 9)
            {
                AddDigit(s[i] - '0', ref mantissa, ref significant);
                scale--;
                anyDigit = true;
                i++;
            }
        }
        if (i < s.Length && (s[i] == 'e' || s[i] == 'E') && anyDigit)
        {
            i++;
            var expNegative = false;
            if (i < s.Length && (s[i] == '-' || s[i] == '+'))
            {
                expNegative = s[i] == '-';
                i++;
            }
            var exp = 0;
            var expDigits = 0;
            while (i < s.Length && (uint)(s[i] - '0') <= 9 && expDigits < 4)
            {
                exp = exp * 10 + (s[i] - '0');
                expDigits++;
                i++;
            }
            if (expDigits == 0)
                return Fallback(s, out value);
            scale += expNegative ? -exp : exp;
        }
        if (i != s.Length || !anyDigit || significant > 7)
            return Fallback(s, out value);
        float v;
        if (mantissa == 0)
            v = 0f;
        else if (scale < 0 && scale >= -10)
            v = mantissa / PowersOf10[-scale];
        else if (scale >= 0 && scale <= 10)
            v = mantissa * PowersOf10[scale];
        else
            return Fallback(s, out value);
        value = negative ? -v : v;
        return true;
    }

    /// <summary>Appends a digit; leading zeros are not significant. Past 7 digits the caller falls back, so no overflow matters.</summary>
    private static void AddDigit(int digit, ref uint mantissa, ref int significant)
    {
        if (mantissa == 0 && digit == 0)
            return;
        significant++;
        if (significant <= 7)
            mantissa = mantissa * 10 + (uint)digit;
    }

    /// <summary>float.TryParse, refusing NaN and infinities, including literals such as 1e400 that overflow a float.</summary>
    private static bool Fallback(ReadOnlySpan<byte> s, out float value)
        => float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && float.IsFinite(value);
}
