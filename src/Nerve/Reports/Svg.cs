using System.Globalization;
using System.Text;

namespace Nerve.Reports;

/// <summary>
/// The shared look and the text primitives of Nerve's SVG charts: a theme in CSS (light, and dark under
/// <c>prefers-color-scheme</c>; marks take <c>currentColor</c>), the Okabe–Ito palette, invariant numbers and XML escaping.
/// </summary>
public static class Svg
{
    /// <summary>Okabe &amp; Ito (2008), colour-blind safe; black is left out so that every colour reads on both themes.</summary>
    public static readonly IReadOnlyList<string> Palette =
        ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#999999"];

    /// <summary>The chart stylesheet. Every rule is scoped to <c>svg.nerve-chart</c>, so inline charts leave the page alone.</summary>
    public static string Css { get; } = BuildCss();

    /// <summary>Escapes text for XML or HTML content and attribute values.</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.AsSpan().IndexOfAny("&<>\"'") < 0)
            return text;
        var sb = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>A coordinate in invariant culture, at most two decimals, never "-0".</summary>
    public static string Num(double value)
    {
        double v = Math.Round(value, 2);
        return (v == 0 ? 0 : v).ToString("0.##", CultureInfo.InvariantCulture);
    }

    private static string BuildCss()
    {
        var sb = new StringBuilder();
        // Plain colours rather than CSS variables, which some SVG renderers outside browsers ignore.
        sb.Append("svg.nerve-chart{color:#1f2328;font:12px system-ui,-apple-system,'Segoe UI',sans-serif}");
        sb.Append("svg.nerve-chart .bg{fill:#ffffff}");
        sb.Append("svg.nerve-chart text{fill:currentColor}");
        sb.Append("svg.nerve-chart .title{font-size:15px;font-weight:600}");
        sb.Append("svg.nerve-chart .axis-title{font-size:13px}");
        sb.Append("svg.nerve-chart .domain,svg.nerve-chart .tick line{stroke:currentColor;fill:none}");
        sb.Append("svg.nerve-chart .tick line.grid{stroke:#d8dee4}");
        sb.Append("svg.nerve-chart .line{fill:none;stroke:currentColor;stroke-width:2}");
        sb.Append("svg.nerve-chart .point,svg.nerve-chart .bar,svg.nerve-chart .swatch{fill:currentColor}");
        sb.Append("svg.nerve-chart.scatter .point{fill-opacity:.8}");
        sb.Append("svg.nerve-chart .cell,svg.nerve-chart .scale rect{fill:#0072B2}");
        sb.Append("svg.nerve-chart .cell{stroke:#ffffff;stroke-width:1}");
        sb.Append("svg.nerve-chart .cell-value{font-size:11px}");
        sb.Append("svg.nerve-chart text.cell-value.strong{fill:#ffffff}");
        sb.Append("@media (prefers-color-scheme:dark){svg.nerve-chart{color:#e6edf3}svg.nerve-chart .bg{fill:#0d1117}" +
            "svg.nerve-chart .tick line.grid{stroke:#30363d}svg.nerve-chart .cell,svg.nerve-chart .scale rect{fill:#56B4E9}svg.nerve-chart .cell{stroke:#0d1117}" +
            "svg.nerve-chart text.cell-value.strong{fill:#000000}}");
        for (int i = 0; i < Palette.Count; i++)
            sb.Append(CultureInfo.InvariantCulture, $"svg.nerve-chart .c{i}{{color:{Palette[i]}}}");
        return sb.ToString();
    }
}

/// <summary>
/// A chart that renders itself as one SVG document. The structure is stable so that tests and a browser can count things:
/// each series is a <c>g.series[data-name]</c>, each mark has class <c>point</c>, <c>bar</c> or <c>cell</c>, tick labels sit
/// in <c>g.axis.x</c> and <c>g.axis.y</c>, axis titles are <c>text.axis-title</c>, legend entries <c>g.legend-entry</c>.
/// Rendering is deterministic: the same chart gives the same bytes.
/// </summary>
public abstract class Chart
{
    public string Title { get; set; } = "";
    public string XLabel { get; set; } = "";
    public string YLabel { get; set; } = "";
    public int Width { get; set; } = 640;
    public int Height { get; set; } = 400;

    /// <summary>The chart as an SVG element (no XML declaration), ready to inline in HTML.</summary>
    public string ToSvg()
    {
        if (Width < 200 || Height < 150)
            throw new NerveException($"chart \"{Title}\": {Width}x{Height} is too small (at least 200x150)");
        var sb = new StringBuilder(4096);
        sb.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"nerve-chart {Kind}\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\">");
        sb.Append("<title>").Append(Svg.Escape(Title)).Append("</title>");
        sb.Append("<style>").Append(Svg.Css).Append("</style>");
        sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"bg\" width=\"{Width}\" height=\"{Height}\"/>");
        if (Title.Length > 0)
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"title\" x=\"{Svg.Num(Width / 2.0)}\" y=\"22\" text-anchor=\"middle\">{Svg.Escape(Title)}</text>");
        Render(sb);
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>Writes the chart as a standalone .svg file (UTF-8, no BOM).</summary>
    public void Save(string path) =>
        Nerve.IO.AtomicFile.WriteAllText(path, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + ToSvg() + "\n");

    /// <summary>The chart type's class on the root element: line, scatter, heatmap or bar.</summary>
    protected abstract string Kind { get; }

    /// <summary>Appends the chart's body: axes, marks and legend.</summary>
    private protected abstract void Render(StringBuilder sb);

    /// <summary>The plot area: left, top, right, bottom in pixels.</summary>
    private protected (double L, double T, double R, double B) Plot(double left, double right) =>
        (left, Title.Length > 0 ? 40 : 16, Width - right, Height - (XLabel.Length > 0 ? 52 : 34));

    private protected static void XAxis(StringBuilder sb, AxisScale scale, (double L, double T, double R, double B) p, bool grid)
    {
        sb.Append("<g class=\"axis x\">");
        sb.Append(CultureInfo.InvariantCulture, $"<line class=\"domain\" x1=\"{Svg.Num(p.L)}\" y1=\"{Svg.Num(p.B)}\" x2=\"{Svg.Num(p.R)}\" y2=\"{Svg.Num(p.B)}\"/>");
        foreach (double t in scale.Ticks)
        {
            string x = Svg.Num(scale.Map(t, p.L, p.R));
            sb.Append(CultureInfo.InvariantCulture, $"<g class=\"tick\">");
            if (grid)
                sb.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{x}\" y1=\"{Svg.Num(p.T)}\" x2=\"{x}\" y2=\"{Svg.Num(p.B)}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x}\" y1=\"{Svg.Num(p.B)}\" x2=\"{x}\" y2=\"{Svg.Num(p.B + 5)}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x}\" y=\"{Svg.Num(p.B + 18)}\" text-anchor=\"middle\">{Svg.Escape(scale.Label(t))}</text></g>");
        }
        sb.Append("</g>");
    }

    private protected static void YAxis(StringBuilder sb, AxisScale scale, (double L, double T, double R, double B) p, bool grid)
    {
        sb.Append("<g class=\"axis y\">");
        sb.Append(CultureInfo.InvariantCulture, $"<line class=\"domain\" x1=\"{Svg.Num(p.L)}\" y1=\"{Svg.Num(p.T)}\" x2=\"{Svg.Num(p.L)}\" y2=\"{Svg.Num(p.B)}\"/>");
        foreach (double t in scale.Ticks)
        {
            string y = Svg.Num(scale.Map(t, p.B, p.T));
            sb.Append("<g class=\"tick\">");
            if (grid)
                sb.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Svg.Num(p.L)}\" y1=\"{y}\" x2=\"{Svg.Num(p.R)}\" y2=\"{y}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Svg.Num(p.L - 5)}\" y1=\"{y}\" x2=\"{Svg.Num(p.L)}\" y2=\"{y}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Svg.Num(p.L - 8)}\" y=\"{y}\" dy=\"0.32em\" text-anchor=\"end\">{Svg.Escape(scale.Label(t))}</text></g>");
        }
        sb.Append("</g>");
    }

    /// <summary>Axis titles: x centred under the plot, y rotated along its left edge.</summary>
    private protected void AxisTitles(StringBuilder sb, (double L, double T, double R, double B) p)
    {
        if (XLabel.Length > 0)
            sb.Append(CultureInfo.InvariantCulture,
                $"<text class=\"axis-title x\" x=\"{Svg.Num((p.L + p.R) / 2)}\" y=\"{Svg.Num(Height - 10)}\" text-anchor=\"middle\">{Svg.Escape(XLabel)}</text>");
        if (YLabel.Length > 0)
        {
            string x = Svg.Num(14), y = Svg.Num((p.T + p.B) / 2);
            sb.Append(CultureInfo.InvariantCulture,
                $"<text class=\"axis-title y\" x=\"{x}\" y=\"{y}\" transform=\"rotate(-90 {x} {y})\" text-anchor=\"middle\">{Svg.Escape(YLabel)}</text>");
        }
    }

    /// <summary>A legend to the right of the plot: one entry per name, with a swatch in the series colour.</summary>
    private protected static void Legend(StringBuilder sb, IReadOnlyList<string> names, double x, double y, bool lines)
    {
        sb.Append("<g class=\"legend\">");
        for (int i = 0; i < names.Count; i++)
        {
            double top = y + i * 20;
            sb.Append(CultureInfo.InvariantCulture, $"<g class=\"legend-entry\" data-name=\"{Svg.Escape(names[i])}\">");
            int c = i % Svg.Palette.Count;
            if (lines)
                sb.Append(CultureInfo.InvariantCulture, $"<line class=\"line c{c}\" x1=\"{Svg.Num(x)}\" y1=\"{Svg.Num(top + 6)}\" x2=\"{Svg.Num(x + 18)}\" y2=\"{Svg.Num(top + 6)}\"/>");
            else
                sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"swatch c{c}\" x=\"{Svg.Num(x + 3)}\" y=\"{Svg.Num(top)}\" width=\"12\" height=\"12\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Svg.Num(x + 24)}\" y=\"{Svg.Num(top + 6)}\" dy=\"0.32em\">{Svg.Escape(names[i])}</text></g>");
        }
        sb.Append("</g>");
    }

    private protected void CheckFinite(double v, string what)
    {
        if (!double.IsFinite(v))
            throw new NerveException($"chart \"{Title}\": {what} is {v.ToString(CultureInfo.InvariantCulture)}, not a finite number");
    }
}
