using System.Text.RegularExpressions;
using System.Xml.Linq;
using Nerve.Reports;

namespace Nerve.Tests.Reports;

public class HtmlReportTests
{
    private static HtmlReport Sample()
    {
        var bars = new BarChart(["LOC", "PER"]) { Title = "Per type" }.Add("F1", [88, 93]);
        var curve = new LineChart { Title = "Curves" }.Add("dev", [1, 2], [80, 85]);
        return new HtmlReport("Report <1> & co")
            .Heading("Scores")
            .Paragraph("Tom & Jerry <script>")
            .Table(["type", "F1"], [["LOC", "88.00"], ["<PER>", "93.00"]], "per type")
            .Chart(bars, "per-type.svg")
            .Chart(curve);
    }

    [Fact]
    public void The_page_escapes_text_and_inlines_every_chart()
    {
        var html = Sample().ToHtml();

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("<title>Report &lt;1&gt; &amp; co</title>", html, StringComparison.Ordinal);
        Assert.Contains("<p>Tom &amp; Jerry &lt;script&gt;</p>", html, StringComparison.Ordinal);
        Assert.Contains("<td>&lt;PER&gt;</td><td class=\"num\">93.00</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Count(html, "<svg "));
        Assert.Contains("prefers-color-scheme:dark", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_page_needs_no_external_resource()
    {
        var html = Sample().ToHtml();

        Assert.DoesNotMatch("(src|href)=", html);
        Assert.DoesNotContain("url(", html, StringComparison.Ordinal);
        // The only URL is the SVG namespace name, which is never fetched.
        Assert.All(Regex.Matches(html, "https?://[^\"]*").Select(m => m.Value), u => Assert.Equal("http://www.w3.org/2000/svg", u));
    }

    [Fact]
    public void Saving_writes_the_page_and_each_named_chart_as_a_standalone_svg()
    {
        using var dir = new TempDir();
        var report = Sample();

        var written = report.Save(dir.File("report.html"));

        Assert.Equal([dir.File("report.html"), Path.Combine(dir.Path, "per-type.svg")], written);
        var svg = XDocument.Load(Path.Combine(dir.Path, "per-type.svg"));
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        Assert.Equal(2, svg.Descendants().Count(e => (string?)e.Attribute("class") == "bar"));
        Assert.Equal(report.ToHtml(), File.ReadAllText(dir.File("report.html")));
    }

    [Fact]
    public void Bad_chart_names_and_ragged_tables_are_rejected()
    {
        var chart = new LineChart().Add("a", [1], [1]);
        Assert.Throws<NerveException>(() => new HtmlReport("r").Chart(chart, "../x.svg"));
        Assert.Throws<NerveException>(() => new HtmlReport("r").Chart(chart, "a.svg").Chart(chart, "a.svg"));
        Assert.Throws<NerveException>(() => new HtmlReport("r").Table(["a", "b"], [["1"]]));
    }
}
