using System.Globalization;
using System.Numerics;
using System.Text;

namespace Nerve.Evaluation;

/// <summary>
/// C printf number formatting as glibc does it: "%W.Pf" rounds the exact binary value of the double
/// to P decimals, ties to even (0.125 → "0.12"), which .NET's "F" format does not guarantee.
/// </summary>
public static class CFormat
{
    /// <summary>Formats like printf("%{width}.{precision}f", value): right-aligned, space-padded.</summary>
    public static string Fixed(double value, int precision, int width = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(precision);
        string text;
        if (double.IsNaN(value))
            text = double.IsNegative(value) ? "-nan" : "nan";
        else if (double.IsInfinity(value))
            text = value < 0 ? "-inf" : "inf";
        else
            text = FixedFinite(value, precision);
        return text.Length >= width ? text : new string(' ', width - text.Length) + text;
    }

    private static string FixedFinite(double value, int precision)
    {
        // value = mantissa * 2^exponent exactly.
        long bits = BitConverter.DoubleToInt64Bits(value);
        bool negative = bits < 0;
        int rawExponent = (int)((bits >> 52) & 0x7FF);
        long fraction = bits & 0xFFFFFFFFFFFFFL;
        long mantissa = rawExponent == 0 ? fraction : fraction | (1L << 52);
        int exponent = (rawExponent == 0 ? 1 : rawExponent) - 1075;

        // scaled = round(|value| * 10^precision), ties to even, in exact integer arithmetic.
        var numerator = new BigInteger(mantissa) * BigInteger.Pow(10, precision);
        BigInteger scaled;
        if (exponent >= 0)
        {
            scaled = numerator << exponent;
        }
        else
        {
            var denominator = BigInteger.One << -exponent;
            scaled = BigInteger.DivRem(numerator, denominator, out var remainder);
            int cmp = (remainder * 2).CompareTo(denominator);
            if (cmp > 0 || (cmp == 0 && !scaled.IsEven))
                scaled += 1;
        }

        var digits = scaled.ToString(CultureInfo.InvariantCulture);
        if (digits.Length <= precision)
            digits = new string('0', precision - digits.Length + 1) + digits;
        var sb = new StringBuilder(digits.Length + 2);
        if (negative)
            sb.Append('-');
        sb.Append(digits, 0, digits.Length - precision);
        if (precision > 0)
            sb.Append('.').Append(digits, digits.Length - precision, precision);
        return sb.ToString();
    }
}
