using Nerve.Reports;

namespace Nerve.Tests.Reports;

/// <summary>A report's page and charts are written atomically, every target checked before the first is written (issue 17).</summary>
public sealed class ReportSaveTests
{
    private static HtmlReport Page()
    {
        var page = new HtmlReport("r");
        page.Chart(new LineChart().Add("a", [0, 0.5, 1], [1, 2, 3]), "curve.svg");
        return page;
    }

    [Fact]
    public void The_page_and_its_charts_are_written_with_no_temporary_left()
    {
        using var dir = new TempDir();
        var html = dir.Write("r.html", "old");
        var written = Page().Save(html);
        Assert.Equal([html, dir.File("curve.svg")], written);
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(html), StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("<?xml", File.ReadAllText(dir.File("curve.svg")), StringComparison.Ordinal);
        Assert.Equal(["curve.svg", "r.html"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_chart_target_that_cannot_be_written_stops_the_save_before_the_page_is_written()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("curve.svg"));
        var html = dir.Write("r.html", "old");
        var e = Assert.Throws<NerveException>(() => Page().Save(html));
        Assert.Equal($"{dir.File("curve.svg")}: cannot write a chart of the report to a directory; expected a regular file or a new path", e.Message);
        Assert.Equal("old", File.ReadAllText(html));
    }

    [Fact]
    public void A_page_through_a_symlink_writes_the_target_and_keeps_the_link()
    {
        using var dir = new TempDir();
        var target = dir.Write("target.html", "old");
        var link = dir.File("link.html");
        File.CreateSymbolicLink(link, target);
        Page().Save(link);
        Assert.Equal(target, new FileInfo(link).LinkTarget);
        Assert.NotEqual("old", File.ReadAllText(target));
    }
}
