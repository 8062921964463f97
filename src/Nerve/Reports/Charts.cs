using System.Globalization;
using System.Text;

namespace Nerve.Reports;

/// <summary>One named line: y against x, drawn as a path with a <c>circle.point</c> at each (x, y).</summary>
public sealed record LineSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>
/// Several series of y against a numeric x, e.g. train and dev F1 per epoch, or F1 against a hyperparameter's values
/// (<see cref="LogX"/> for learning rates). When every x is a whole number, x ticks are whole numbers too.
/// </summary>
public sealed class LineChart : Chart
{
    public List<LineSeries> Series { get; } = [];
    /// <summary>Log10 x axis; every x must be positive.</summary>
    public bool LogX { get; set; }
    /// <summary>Fixed y range (e.g. 0 and 100 for F1); null takes the data's range, widened to nice ticks.</summary>
    public double? YMin { get; set; }
    public double? YMax { get; set; }

    protected override string Kind => "line";

    public LineChart Add(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Series.Add(new LineSeries(name, x, y));
        return this;
    }

    private protected override void Render(StringBuilder sb)
    {
        if (Series.Count == 0 || Series.All(s => s.X.Count == 0))
            throw new NerveException($"chart \"{Title}\" has no points");
        double xMin = double.MaxValue, xMax = double.MinValue, yMin = double.MaxValue, yMax = double.MinValue;
        foreach (var s in Series)
        {
            if (s.X.Count != s.Y.Count)
                throw new NerveException($"chart \"{Title}\": series \"{s.Name}\" has {s.X.Count} x but {s.Y.Count} y values");
            for (int i = 0; i < s.X.Count; i++)
            {
                CheckFinite(s.X[i], $"series \"{s.Name}\" x[{i}]");
                CheckFinite(s.Y[i], $"series \"{s.Name}\" y[{i}]");
                (xMin, xMax) = (Math.Min(xMin, s.X[i]), Math.Max(xMax, s.X[i]));
                (yMin, yMax) = (Math.Min(yMin, s.Y[i]), Math.Max(yMax, s.Y[i]));
            }
        }
        bool integers = Series.All(s => s.X.All(x => x == Math.Floor(x)));
        var xs = LogX ? Ticks.Log(xMin, xMax) : Ticks.Linear(xMin, xMax, integers: integers);
        var ys = Ticks.Linear(YMin ?? yMin, YMax ?? yMax);
        var p = Plot(56, 140);
        XAxis(sb, xs, p, grid: true);
        YAxis(sb, ys, p, grid: true);
        AxisTitles(sb, p);
        for (int k = 0; k < Series.Count; k++)
        {
            var s = Series[k];
            sb.Append(CultureInfo.InvariantCulture, $"<g class=\"series c{k % Svg.Palette.Count}\" data-name=\"{Svg.Escape(s.Name)}\">");
            if (s.X.Count > 1)
            {
                sb.Append("<path class=\"line\" d=\"");
                for (int i = 0; i < s.X.Count; i++)
                    sb.Append(i == 0 ? 'M' : 'L').Append(Svg.Num(xs.Map(s.X[i], p.L, p.R))).Append(',').Append(Svg.Num(ys.Map(s.Y[i], p.B, p.T)));
                sb.Append("\"/>");
            }
            for (int i = 0; i < s.X.Count; i++)
                sb.Append(CultureInfo.InvariantCulture,
                    $"<circle class=\"point\" cx=\"{Svg.Num(xs.Map(s.X[i], p.L, p.R))}\" cy=\"{Svg.Num(ys.Map(s.Y[i], p.B, p.T))}\" r=\"3\"><title>{Svg.Escape(s.Name)}: {Svg.Escape(G(s.X[i]))}, {Svg.Escape(G(s.Y[i]))}</title></circle>");
            sb.Append("</g>");
        }
        Legend(sb, [.. Series.Select(s => s.Name)], p.R + 16, p.T, lines: true);
    }

    internal static string G(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}

/// <summary>One scatter point: position, the tooltip shown on hover, and the class that picks its colour and legend entry.</summary>
public sealed record ScatterPoint(double X, double Y, string Label, string Class);

/// <summary>Points coloured by class, each with a <c>&lt;title&gt;</c> tooltip; one series and one legend entry per class.</summary>
public sealed class ScatterChart : Chart
{
    public List<ScatterPoint> Points { get; } = [];
    /// <summary>Order of the classes in the legend and palette; null sorts them ordinally. Classes not listed follow, sorted.</summary>
    public IReadOnlyList<string>? ClassOrder { get; set; }
    public double PointRadius { get; set; } = 3.5;

    protected override string Kind => "scatter";

    /// <summary>The classes in legend order.</summary>
    public IReadOnlyList<string> Classes()
    {
        var present = new SortedSet<string>(Points.Select(q => q.Class), StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var c in ClassOrder ?? [])
            if (present.Remove(c))
                order.Add(c);
        order.AddRange(present);
        return order;
    }

    private protected override void Render(StringBuilder sb)
    {
        if (Points.Count == 0)
            throw new NerveException($"chart \"{Title}\" has no points");
        for (int i = 0; i < Points.Count; i++)
        {
            CheckFinite(Points[i].X, $"point {i} x");
            CheckFinite(Points[i].Y, $"point {i} y");
        }
        var xs = Ticks.Linear(Points.Min(q => q.X), Points.Max(q => q.X));
        var ys = Ticks.Linear(Points.Min(q => q.Y), Points.Max(q => q.Y));
        var p = Plot(56, 140);
        XAxis(sb, xs, p, grid: true);
        YAxis(sb, ys, p, grid: true);
        AxisTitles(sb, p);
        var classes = Classes();
        for (int k = 0; k < classes.Count; k++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<g class=\"series c{k % Svg.Palette.Count}\" data-name=\"{Svg.Escape(classes[k])}\">");
            foreach (var q in Points)
                if (q.Class == classes[k])
                    sb.Append(CultureInfo.InvariantCulture,
                        $"<circle class=\"point\" cx=\"{Svg.Num(xs.Map(q.X, p.L, p.R))}\" cy=\"{Svg.Num(ys.Map(q.Y, p.B, p.T))}\" r=\"{Svg.Num(PointRadius)}\"><title>{Svg.Escape(q.Label)}</title></circle>");
            sb.Append("</g>");
        }
        Legend(sb, classes, p.R + 16, p.T, lines: false);
    }
}

/// <summary>
/// A matrix of values as coloured cells (e.g. a confusion matrix, rows gold and columns predicted): row and column labels,
/// the value written in each cell, and a colour scale from the smaller of 0 and the minimum to the maximum.
/// </summary>
public sealed class HeatmapChart : Chart
{
    public HeatmapChart(IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels, double[,] values)
    {
        if (values.GetLength(0) != rowLabels.Count || values.GetLength(1) != columnLabels.Count)
            throw new NerveException($"heatmap: {values.GetLength(0)}x{values.GetLength(1)} values for {rowLabels.Count} row and {columnLabels.Count} column labels");
        RowLabels = rowLabels;
        ColumnLabels = columnLabels;
        Values = values;
        Height = 480;
    }

    public IReadOnlyList<string> RowLabels { get; }
    public IReadOnlyList<string> ColumnLabels { get; }
    public double[,] Values { get; }
    /// <summary>Invariant .NET format of the value written in each cell, e.g. "0" for counts or "0.0" for percentages.</summary>
    public string ValueFormat { get; set; } = "0.##";
    /// <summary>Colour by log(1 + v − min), so that small off-diagonal counts show beside a large diagonal.</summary>
    public bool LogColour { get; set; }

    protected override string Kind => "heatmap";

    private protected override void Render(StringBuilder sb)
    {
        int rows = RowLabels.Count, cols = ColumnLabels.Count;
        if (rows == 0 || cols == 0)
            throw new NerveException($"chart \"{Title}\" has no cells");
        double min = 0, max = double.MinValue;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                CheckFinite(Values[r, c], $"cell [{r}, {c}]");
                (min, max) = (Math.Min(min, Values[r, c]), Math.Max(max, Values[r, c]));
            }
        int labelWidth = 16 + 7 * Math.Max(4, RowLabels.Max(l => l.Length));
        var p = Plot(labelWidth + (YLabel.Length > 0 ? 24 : 0), 96);
        double cw = (p.R - p.L) / cols, ch = (p.B - p.T) / rows;
        sb.Append("<g class=\"axis x\">");
        for (int c = 0; c < cols; c++)
            sb.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{Svg.Num(p.L + (c + 0.5) * cw)}\" y=\"{Svg.Num(p.B + 18)}\" text-anchor=\"middle\">{Svg.Escape(ColumnLabels[c])}</text>");
        sb.Append("</g><g class=\"axis y\">");
        for (int r = 0; r < rows; r++)
            sb.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{Svg.Num(p.L - 8)}\" y=\"{Svg.Num(p.T + (r + 0.5) * ch)}\" dy=\"0.32em\" text-anchor=\"end\">{Svg.Escape(RowLabels[r])}</text>");
        sb.Append("</g>");
        AxisTitles(sb, p);
        sb.Append("<g class=\"cells\">");
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                double v = Values[r, c], t = max > min ? (v - min) / (max - min) : 0;
                if (LogColour && max > min)
                    t = Math.Log(1 + v - min) / Math.Log(1 + max - min);
                string text = v.ToString(ValueFormat, CultureInfo.InvariantCulture);
                double x = p.L + c * cw, y = p.T + r * ch;
                sb.Append(CultureInfo.InvariantCulture,
                    $"<rect class=\"cell\" x=\"{Svg.Num(x)}\" y=\"{Svg.Num(y)}\" width=\"{Svg.Num(cw)}\" height=\"{Svg.Num(ch)}\" fill-opacity=\"{Opacity(t)}\" data-row=\"{r}\" data-col=\"{c}\" data-value=\"{Svg.Escape(text)}\">");
                sb.Append(CultureInfo.InvariantCulture, $"<title>{Svg.Escape(RowLabels[r])} / {Svg.Escape(ColumnLabels[c])}: {Svg.Escape(text)}</title></rect>");
                sb.Append(CultureInfo.InvariantCulture,
                    $"<text class=\"cell-value{(t > 0.55 ? " strong" : "")}\" x=\"{Svg.Num(x + cw / 2)}\" y=\"{Svg.Num(y + ch / 2)}\" dy=\"0.32em\" text-anchor=\"middle\">{Svg.Escape(text)}</text>");
            }
        sb.Append("</g>");
        // Colour scale: ten steps from min (bottom) to max (top), linear in t.
        double sx = p.R + 24, sh = Math.Min(200, p.B - p.T);
        sb.Append("<g class=\"scale\">");
        for (int i = 0; i < 10; i++)
            sb.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{Svg.Num(sx)}\" y=\"{Svg.Num(p.T + sh - (i + 1) * sh / 10)}\" width=\"14\" height=\"{Svg.Num(sh / 10)}\" fill-opacity=\"{Opacity((i + 0.5) / 10)}\"/>");
        sb.Append(CultureInfo.InvariantCulture,
            $"<text x=\"{Svg.Num(sx + 20)}\" y=\"{Svg.Num(p.T + sh)}\" dy=\"0.32em\">{Svg.Escape(min.ToString(ValueFormat, CultureInfo.InvariantCulture))}</text>");
        sb.Append(CultureInfo.InvariantCulture,
            $"<text x=\"{Svg.Num(sx + 20)}\" y=\"{Svg.Num(p.T)}\" dy=\"0.32em\">{Svg.Escape(max.ToString(ValueFormat, CultureInfo.InvariantCulture))}</text>");
        sb.Append("</g>");
    }

    /// <summary>Cell opacity for a value at fraction t of the scale; never fully transparent, so empty cells still show.</summary>
    private static string Opacity(double t) => Math.Round(0.04 + 0.96 * t, 3).ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>One named group member: a value per category, drawn as <c>rect.bar</c>s.</summary>
public sealed record BarSeries(string Name, IReadOnlyList<double> Values);

/// <summary>Grouped bars: one group per category, one bar per series (e.g. P, R and F per entity type).</summary>
public sealed class BarChart : Chart
{
    public BarChart(IReadOnlyList<string> categories) => Categories = categories;

    public IReadOnlyList<string> Categories { get; }
    public List<BarSeries> Series { get; } = [];
    public double? YMin { get; set; }
    public double? YMax { get; set; }

    protected override string Kind => "bar";

    public BarChart Add(string name, IReadOnlyList<double> values)
    {
        Series.Add(new BarSeries(name, values));
        return this;
    }

    private protected override void Render(StringBuilder sb)
    {
        if (Categories.Count == 0 || Series.Count == 0)
            throw new NerveException($"chart \"{Title}\" has no bars");
        double min = 0, max = 0;
        foreach (var s in Series)
        {
            if (s.Values.Count != Categories.Count)
                throw new NerveException($"chart \"{Title}\": series \"{s.Name}\" has {s.Values.Count} values for {Categories.Count} categories");
            for (int i = 0; i < s.Values.Count; i++)
            {
                CheckFinite(s.Values[i], $"series \"{s.Name}\" value {i}");
                (min, max) = (Math.Min(min, s.Values[i]), Math.Max(max, s.Values[i]));
            }
        }
        var ys = Ticks.Linear(YMin ?? min, YMax ?? max);
        var p = Plot(56, 140);
        YAxis(sb, ys, p, grid: true);
        double band = (p.R - p.L) / Categories.Count, bw = band * 0.8 / Series.Count;
        sb.Append("<g class=\"axis x\">");
        sb.Append(CultureInfo.InvariantCulture, $"<line class=\"domain\" x1=\"{Svg.Num(p.L)}\" y1=\"{Svg.Num(p.B)}\" x2=\"{Svg.Num(p.R)}\" y2=\"{Svg.Num(p.B)}\"/>");
        for (int c = 0; c < Categories.Count; c++)
            sb.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{Svg.Num(p.L + (c + 0.5) * band)}\" y=\"{Svg.Num(p.B + 18)}\" text-anchor=\"middle\">{Svg.Escape(Categories[c])}</text>");
        sb.Append("</g>");
        AxisTitles(sb, p);
        double zero = ys.Map(Math.Clamp(0, ys.Min, ys.Max), p.B, p.T);
        for (int k = 0; k < Series.Count; k++)
        {
            var s = Series[k];
            sb.Append(CultureInfo.InvariantCulture, $"<g class=\"series c{k % Svg.Palette.Count}\" data-name=\"{Svg.Escape(s.Name)}\">");
            for (int c = 0; c < Categories.Count; c++)
            {
                double v = Math.Clamp(s.Values[c], ys.Min, ys.Max), y = ys.Map(v, p.B, p.T);
                double x = p.L + c * band + band * 0.1 + k * bw;
                sb.Append(CultureInfo.InvariantCulture,
                    $"<rect class=\"bar\" x=\"{Svg.Num(x)}\" y=\"{Svg.Num(Math.Min(y, zero))}\" width=\"{Svg.Num(bw)}\" height=\"{Svg.Num(Math.Abs(zero - y))}\"><title>{Svg.Escape(s.Name)} / {Svg.Escape(Categories[c])}: {Svg.Escape(LineChart.G(s.Values[c]))}</title></rect>");
            }
            sb.Append("</g>");
        }
        Legend(sb, [.. Series.Select(s => s.Name)], p.R + 16, p.T, lines: false);
    }
}
