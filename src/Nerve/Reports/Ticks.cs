using System.Globalization;

namespace Nerve.Reports;

/// <summary>
/// An axis domain with its tick values: [Min, Max] maps to the plot's extent, linearly or by log10.
/// </summary>
public sealed class AxisScale
{
    internal AxisScale(double min, double max, double[] ticks, double step, bool log)
    {
        Min = min;
        Max = max;
        Ticks = ticks;
        Step = step;
        IsLog = log;
    }

    public double Min { get; }
    public double Max { get; }
    public IReadOnlyList<double> Ticks { get; }
    /// <summary>Distance between linear ticks (a 1, 2 or 5 times a power of ten); 0 for a log scale.</summary>
    public double Step { get; }
    public bool IsLog { get; }

    /// <summary>Maps <paramref name="value"/> in [Min, Max] to [<paramref name="from"/>, <paramref name="to"/>].</summary>
    public double Map(double value, double from, double to)
    {
        double t = IsLog
            ? (Math.Log10(value) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min))
            : (value - Min) / (Max - Min);
        return from + t * (to - from);
    }

    /// <summary>A tick label in invariant culture: as many decimals as the step needs ("0.25" never "0.2500001").</summary>
    public string Label(double value)
    {
        if (IsLog)
            return value.ToString("G4", CultureInfo.InvariantCulture);
        int decimals = Math.Max(0, -(int)Math.Floor(Math.Log10(Step) + 1e-9));
        var s = Math.Round(value, decimals).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return s.StartsWith('-') && s.TrimStart('-').All(c => c is '0' or '.') ? s[1..] : s;
    }
}

/// <summary>"Nice" axis ticks: steps of 1, 2 or 5 times a power of ten (Heckbert 1990), or decades on a log axis.</summary>
public static class Ticks
{
    /// <summary>The nice step nearest <paramref name="rough"/>: 1, 2, 5 or 10 times 10^floor(log10 rough).</summary>
    public static double NiceStep(double rough)
    {
        if (!(rough > 0) || double.IsInfinity(rough))
            throw new NerveException($"a tick step must be positive and finite, got {rough.ToString(CultureInfo.InvariantCulture)}");
        int exponent = (int)Math.Floor(Math.Log10(rough));
        double fraction = rough / Math.Pow(10, exponent);
        int nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
        return Times10(nice, exponent);
    }

    /// <summary>
    /// A linear scale covering [<paramref name="min"/>, <paramref name="max"/>], widened outward to whole steps, with
    /// about <paramref name="target"/> intervals. An empty range is widened to one unit around its value. With
    /// <paramref name="integers"/> (e.g. epochs) the step is at least 1.
    /// </summary>
    public static AxisScale Linear(double min, double max, int target = 5, bool integers = false)
    {
        CheckFinite(min, max);
        if (target < 1)
            throw new NerveException($"a scale needs at least one tick interval, got {target}");
        if (min > max)
            (min, max) = (max, min);
        if (min == max)
        {
            double pad = min == 0 ? 1 : Math.Abs(min) * 0.5;
            (min, max) = (min - pad, max + pad);
        }
        double step = NiceStep((max - min) / target);
        if (integers)
            step = Math.Max(step, 1);
        // Ticks are whole multiples of the step: i * step, so no error accumulates across ticks.
        long first = (long)Math.Floor(min / step + 1e-9), last = (long)Math.Ceiling(max / step - 1e-9);
        var ticks = new double[last - first + 1];
        for (long i = first; i <= last; i++)
            ticks[i - first] = Clean(i * step, step);
        return new AxisScale(ticks[0], ticks[^1], ticks, step, log: false);
    }

    /// <summary>
    /// A log10 scale from the decade at or below <paramref name="min"/> to the decade at or above <paramref name="max"/>.
    /// Ticks are the decades, plus 2 and 5 times each decade when the range spans at most two decades.
    /// </summary>
    public static AxisScale Log(double min, double max)
    {
        CheckFinite(min, max);
        if (min > max)
            (min, max) = (max, min);
        if (!(min > 0))
            throw new NerveException($"a log axis needs positive values, got {min.ToString(CultureInfo.InvariantCulture)}");
        int lo = (int)Math.Floor(Math.Log10(min) + 1e-9), hi = (int)Math.Ceiling(Math.Log10(max) - 1e-9);
        if (hi == lo)
            hi++;
        var ticks = new List<double>();
        for (int e = lo; e <= hi; e++)
        {
            ticks.Add(Times10(1, e));
            if (hi - lo <= 2 && e < hi)
            {
                ticks.Add(Times10(2, e));
                ticks.Add(Times10(5, e));
            }
        }
        return new AxisScale(Times10(1, lo), Times10(1, hi), [.. ticks], 0, log: true);
    }

    /// <summary>m·10^e as the double nearest the decimal (0.05, not 0.05000000000000001): one correctly rounded operation.</summary>
    private static double Times10(int m, int e) => e >= 0 ? m * Math.Pow(10, e) : m / Math.Pow(10, -e);

    private static void CheckFinite(double min, double max)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max))
            throw new NerveException($"an axis range must be finite, got [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]");
    }

    /// <summary>Rounds away binary noise such as 0.30000000000000004 to the step's decimals.</summary>
    private static double Clean(double value, double step)
    {
        int decimals = Math.Clamp(-(int)Math.Floor(Math.Log10(step)) + 1, 0, 15);
        double v = Math.Round(value, decimals);
        return v == 0 ? 0 : v;
    }
}
