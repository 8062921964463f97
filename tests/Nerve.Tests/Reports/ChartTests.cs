using System.Globalization;
using System.Xml.Linq;
using Nerve.Reports;

namespace Nerve.Tests.Reports;

public class ChartTests
{
    private static readonly XNamespace S = "http://www.w3.org/2000/svg";

    private static XElement Parse(Chart chart) => XElement.Parse(chart.ToSvg()); // throws unless well-formed

    private static bool HasClass(XElement e, string cls) =>
        ((string?)e.Attribute("class") ?? "").Split(' ').Contains(cls);

    private static IEnumerable<XElement> ByClass(XElement root, string cls) => root.Descendants().Where(e => HasClass(e, cls));

    private static List<string> AxisLabels(XElement root, string axis) =>
        [.. ByClass(root, "axis").Single(e => HasClass(e, axis)).Descendants(S + "text").Select(t => t.Value)];

    private static LineChart F1Curves() => new LineChart { Title = "F1 per epoch", XLabel = "epoch", YLabel = "F1", YMin = 0, YMax = 100 }
        .Add("train", [1, 2, 3, 4], [61.5, 80.25, 88, 91.75])
        .Add("dev", [1, 2, 3, 4], [58, 74.5, 79, 80.5]);

    [Fact]
    public void A_line_chart_has_its_series_points_ticks_titles_and_legend()
    {
        var svg = Parse(F1Curves());

        Assert.Equal(S + "svg", svg.Name);
        var series = ByClass(svg, "series").ToList();
        Assert.Equal(["train", "dev"], series.Select(g => (string?)g.Attribute("data-name")));
        Assert.All(series, g => Assert.Equal(4, ByClass(g, "point").Count()));
        Assert.All(series, g => Assert.Single(ByClass(g, "line")));
        Assert.Equal(["0", "20", "40", "60", "80", "100"], AxisLabels(svg, "y"));
        Assert.Equal(["1", "2", "3", "4"], AxisLabels(svg, "x")); // whole epochs: no 1.5
        Assert.Equal(["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"], AxisLabels(Parse(new LineChart().Add("a", [0, 0.5, 1], [1, 2, 3])), "x"));
        Assert.Equal("epoch", ByClass(svg, "axis-title").Single(e => HasClass(e, "x")).Value);
        Assert.Equal("F1", ByClass(svg, "axis-title").Single(e => HasClass(e, "y")).Value);
        Assert.Equal("F1 per epoch", ByClass(svg, "title").Single().Value);
        Assert.Equal(["train", "dev"], ByClass(svg, "legend-entry").Select(e => e.Value));
        Assert.Equal("dev: 2, 74.5", ByClass(series[1], "point").ElementAt(1).Element(S + "title")!.Value);
    }

    [Fact]
    public void Points_are_placed_on_the_scale()
    {
        var svg = Parse(new LineChart { Width = 640, Height = 400, YMin = 0, YMax = 100 }.Add("a", [0, 10], [0, 100]));

        var pts = ByClass(svg, "point").ToList();
        double X(XElement e, string a) => double.Parse((string)e.Attribute(a)!, CultureInfo.InvariantCulture);
        // Plot area: left 56, right 640 − 140, top 16 (no title), bottom 400 − 34 (no x label).
        Assert.Equal(56, X(pts[0], "cx"));
        Assert.Equal(366, X(pts[0], "cy"));
        Assert.Equal(500, X(pts[1], "cx"));
        Assert.Equal(16, X(pts[1], "cy"));
    }

    [Fact]
    public void A_log_x_axis_ticks_learning_rates()
    {
        var svg = Parse(new LineChart { LogX = true }.Add("dev F1", [0.01, 0.05, 0.1], [80, 85, 83]));

        Assert.Equal(["0.01", "0.02", "0.05", "0.1"], AxisLabels(svg, "x"));
    }

    [Fact]
    public void Text_is_escaped_and_the_output_stays_well_formed()
    {
        var chart = new LineChart { Title = "a <b> & \"c\"", XLabel = "x<&>", YLabel = "it's" }.Add("<&>", [1, 2], [3, 4]);

        var text = chart.ToSvg();
        var svg = XElement.Parse(text);

        Assert.Contains("&lt;&amp;&gt;", text, StringComparison.Ordinal);
        Assert.Equal("<&>", (string?)ByClass(svg, "series").Single().Attribute("data-name"));
        Assert.Equal("<&>", ByClass(svg, "legend-entry").Single().Value);
        Assert.Equal("x<&>", ByClass(svg, "axis-title").Single(e => HasClass(e, "x")).Value);
        Assert.Equal("a <b> & \"c\"", ByClass(svg, "title").Single().Value);
    }

    [Fact]
    public void Numbers_are_invariant_whatever_the_current_culture()
    {
        var chart = new LineChart { Title = "t" }.Add("s", [0.5, 1.5], [1234.5, 2.25]);
        var before = CultureInfo.CurrentCulture;
        string text;
        try
        {
            // A comma-decimal culture (the tests run in invariant-globalization mode, so it is built by hand).
            var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            comma.NumberFormat.NumberDecimalSeparator = ",";
            comma.NumberFormat.NumberGroupSeparator = ".";
            CultureInfo.CurrentCulture = comma;
            Assert.Equal("0,5", 0.5.ToString(CultureInfo.CurrentCulture));
            text = chart.ToSvg();
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }

        Assert.Equal(chart.ToSvg(), text);
        var svg = XElement.Parse(text);
        foreach (var e in svg.Descendants())
            foreach (var a in new[] { "x", "y", "cx", "cy", "width", "height" })
                if (e.Attribute(a) is { } attr)
                    Assert.True(double.TryParse(attr.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _), attr.Value);
        Assert.DoesNotContain(",5", text, StringComparison.Ordinal);
        Assert.Contains("s: 0.5, 1234.5", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_chart_renders_to_the_same_bytes()
    {
        Assert.Equal(F1Curves().ToSvg(), F1Curves().ToSvg());
    }

    [Fact]
    public void The_theme_follows_the_colour_scheme_and_uses_current_color()
    {
        var text = F1Curves().ToSvg();

        Assert.Contains("@media (prefers-color-scheme:dark)", text, StringComparison.Ordinal);
        Assert.Contains("currentColor", text, StringComparison.Ordinal);
        Assert.Contains(Svg.Palette[0], text, StringComparison.Ordinal);
        Assert.DoesNotContain("fill=\"#", text, StringComparison.Ordinal); // colours come from classes, not attributes
    }

    [Fact]
    public void A_scatter_chart_has_one_series_and_legend_entry_per_class_and_a_tooltip_per_point()
    {
        var chart = new ScatterChart { Title = "t-SNE", ClassOrder = ["PER", "LOC"] };
        chart.Points.Add(new(0, 0, "Paris", "LOC"));
        chart.Points.Add(new(1, 1, "Obama", "PER"));
        chart.Points.Add(new(2, 0.5, "Merkel", "PER"));
        chart.Points.Add(new(3, 2, "AT&T", "ORG"));

        var svg = Parse(chart);

        var series = ByClass(svg, "series").ToList();
        Assert.Equal(["PER", "LOC", "ORG"], series.Select(g => (string?)g.Attribute("data-name")));
        Assert.Equal([2, 1, 1], series.Select(g => ByClass(g, "point").Count()));
        Assert.Equal(["Obama", "Merkel"], ByClass(series[0], "point").Select(p => p.Element(S + "title")!.Value));
        Assert.Equal("AT&T", ByClass(series[2], "point").Single().Element(S + "title")!.Value);
        Assert.Equal(["PER", "LOC", "ORG"], ByClass(svg, "legend-entry").Select(e => e.Value));
        Assert.Equal(["0.0", "0.5", "1.0", "1.5", "2.0"], AxisLabels(svg, "y"));
    }

    [Fact]
    public void A_heatmap_has_a_cell_per_value_with_row_and_column_labels()
    {
        string[] labels = ["O", "B-PER", "I-<X>"];
        var values = new double[,] { { 90, 3, 0 }, { 4, 17, 1 }, { 0, 2, 5.5 } };
        var svg = Parse(new HeatmapChart(labels, labels, values) { Title = "Confusion", XLabel = "predicted", YLabel = "gold" });

        var cells = ByClass(svg, "cell").ToList();
        Assert.Equal(9, cells.Count);
        Assert.Equal(["90", "3", "0", "4", "17", "1", "0", "2", "5.5"], cells.Select(c => (string?)c.Attribute("data-value")));
        Assert.Equal(["90", "3", "0", "4", "17", "1", "0", "2", "5.5"], ByClass(svg, "cell-value").Select(t => t.Value));
        Assert.Equal("I-<X> / B-PER: 2", cells[7].Element(S + "title")!.Value);
        Assert.Equal(labels, AxisLabels(svg, "x"));
        Assert.Equal(labels, AxisLabels(svg, "y"));
        Assert.Equal("1", (string?)cells[0].Attribute("fill-opacity")); // the maximum is the darkest
        Assert.Equal(10, ByClass(svg, "scale").Single().Elements(S + "rect").Count());
        Assert.Equal(["0", "90"], ByClass(svg, "scale").Single().Elements(S + "text").Select(t => t.Value));
    }

    [Fact]
    public void A_log_colour_scale_lifts_small_counts()
    {
        var values = new double[,] { { 1000, 9 }, { 0, 500 } };
        string Opacity(bool log) => (string)ByClass(Parse(new HeatmapChart(["a", "b"], ["a", "b"], values) { LogColour = log }), "cell")
            .ElementAt(1).Attribute("fill-opacity")!;

        Assert.Equal("0.049", Opacity(false)); // 0.04 + 0.96 * 9/1000
        Assert.Equal("0.36", Opacity(true)); // 0.04 + 0.96 * ln 10 / ln 1001
    }

    [Fact]
    public void A_grouped_bar_chart_has_a_bar_per_series_and_category()
    {
        var chart = new BarChart(["LOC", "MISC", "ORG", "PER"]) { Title = "Per type", YLabel = "%", YMax = 100 }
            .Add("P", [91, 80, 85.5, 95])
            .Add("R", [90, 78, 83, 96])
            .Add("F1", [90.5, 79, 84.2, 95.5]);

        var svg = Parse(chart);

        var series = ByClass(svg, "series").ToList();
        Assert.Equal(["P", "R", "F1"], series.Select(g => (string?)g.Attribute("data-name")));
        Assert.All(series, g => Assert.Equal(4, ByClass(g, "bar").Count()));
        Assert.Equal(["LOC", "MISC", "ORG", "PER"], AxisLabels(svg, "x"));
        Assert.Equal(["0", "20", "40", "60", "80", "100"], AxisLabels(svg, "y"));
        Assert.Equal(["P", "R", "F1"], ByClass(svg, "legend-entry").Select(e => e.Value));
        Assert.Equal("F1 / ORG: 84.2", ByClass(series[2], "bar").ElementAt(2).Element(S + "title")!.Value);
        // Bar heights are proportional to the values on a 0-based axis.
        double H(XElement e) => double.Parse((string)e.Attribute("height")!, CultureInfo.InvariantCulture);
        var p = ByClass(series[0], "bar").ToList();
        Assert.Equal(91.0 / 95, H(p[0]) / H(p[3]), 2);
    }

    [Fact]
    public void Inconsistent_data_is_a_nerve_exception()
    {
        Assert.Throws<NerveException>(() => new LineChart().Add("a", [1, 2], [1]).ToSvg());
        Assert.Throws<NerveException>(() => new LineChart().Add("a", [1], [double.NaN]).ToSvg());
        Assert.Throws<NerveException>(() => new BarChart(["a", "b"]).Add("s", [1]).ToSvg());
        Assert.Throws<NerveException>(() => new HeatmapChart(["a"], ["b", "c"], new double[1, 1]));
        Assert.Throws<NerveException>(() => new ScatterChart().ToSvg());
    }
}
