using System.Globalization;
using System.Text;
using Nerve.IO;

namespace Nerve.Reports;

/// <summary>
/// A self-contained HTML page: headings, paragraphs, escaped tables and inline SVG charts, with inline CSS for light and
/// dark themes and no external resource. Each chart added with a file name can also be saved as its own .svg file.
/// </summary>
public sealed class HtmlReport
{
    private readonly StringBuilder _body = new();
    private readonly List<(string FileName, Chart Chart)> _charts = [];

    public HtmlReport(string title) => Title = title;

    public string Title { get; }

    /// <summary>Charts added with a file name, in order.</summary>
    public IReadOnlyList<(string FileName, Chart Chart)> Charts => _charts;

    public HtmlReport Heading(string text, int level = 2)
    {
        if (level is < 1 or > 6)
            throw new NerveException($"heading level must be 1 to 6, got {level}");
        _body.Append(CultureInfo.InvariantCulture, $"<h{level}>{Svg.Escape(text)}</h{level}>\n");
        return this;
    }

    public HtmlReport Paragraph(string text)
    {
        _body.Append("<p>").Append(Svg.Escape(text)).Append("</p>\n");
        return this;
    }

    /// <summary>A table; cells that parse as numbers (invariant) are right-aligned.</summary>
    public HtmlReport Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, string? caption = null)
    {
        _body.Append("<table>");
        if (caption is not null)
            _body.Append("<caption>").Append(Svg.Escape(caption)).Append("</caption>");
        _body.Append("<thead><tr>");
        foreach (var h in header)
            _body.Append("<th>").Append(Svg.Escape(h)).Append("</th>");
        _body.Append("</tr></thead><tbody>\n");
        foreach (var row in rows)
        {
            if (row.Count != header.Count)
                throw new NerveException($"table \"{caption}\": a row has {row.Count} cells for {header.Count} columns");
            _body.Append("<tr>");
            foreach (var cell in row)
                _body.Append(double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? "<td class=\"num\">" : "<td>")
                     .Append(Svg.Escape(cell)).Append("</td>");
            _body.Append("</tr>\n");
        }
        _body.Append("</tbody></table>\n");
        return this;
    }

    /// <summary>
    /// Sentences with marked entities (<see cref="Displacy"/>), one per line, inside one block: e.g. gold above
    /// prediction, each with its caption.
    /// </summary>
    public HtmlReport Entities(IEnumerable<(string Caption, IReadOnlyList<string> Words, IReadOnlyList<MarkedSpan> Spans)> lines, string? note = null)
    {
        _body.Append("<div class=\"example\">");
        if (note is not null)
            _body.Append("<div class=\"note\">").Append(Svg.Escape(note)).Append("</div>");
        foreach (var (caption, words, spans) in lines)
            _body.Append(Displacy.Render(words, spans, caption));
        _body.Append("</div>\n");
        return this;
    }

    /// <summary>Inlines <paramref name="chart"/>; with <paramref name="fileName"/> (e.g. "confusion.svg") <see cref="Save"/> also writes it alone.</summary>
    public HtmlReport Chart(Chart chart, string? fileName = null)
    {
        if (fileName is not null)
        {
            if (fileName.Length == 0 || fileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || fileName.Contains('/', StringComparison.Ordinal) || fileName.Contains('\\', StringComparison.Ordinal))
                throw new NerveException($"chart file name \"{fileName}\" must be a plain file name");
            if (_charts.Any(c => c.FileName == fileName))
                throw new NerveException($"two charts would be written to \"{fileName}\"");
            _charts.Add((fileName, chart));
        }
        _body.Append("<figure>").Append(chart.ToSvg()).Append("</figure>\n");
        return this;
    }

    public string ToHtml()
    {
        var sb = new StringBuilder(_body.Length + 2048);
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"color-scheme\" content=\"light dark\">\n");
        sb.Append("<title>").Append(Svg.Escape(Title)).Append("</title>\n<style>\n").Append(PageCss).Append("</style>\n</head>\n<body>\n");
        sb.Append("<h1>").Append(Svg.Escape(Title)).Append("</h1>\n").Append(_body).Append("</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>
    /// Writes the page to <paramref name="path"/> and each named chart as an .svg file beside it, every file atomically
    /// (<see cref="AtomicFile"/>) and every target checked before the first is written; returns the paths written. To
    /// standard output ("-", "/dev/stdout") only the page is written, its charts inline.
    /// </summary>
    public IReadOnlyList<string> Save(string path)
    {
        var written = new List<string> { path };
        if (AtomicFile.IsStdout(path))
        {
            AtomicFile.WriteAllText(path, ToHtml());
            return written;
        }
        var dir = Path.GetDirectoryName(AtomicFile.Resolve(path))!;
        Directory.CreateDirectory(dir);
        var charts = _charts.Select(c => (Path: Path.Combine(dir, c.FileName), c.Chart)).ToList();
        AtomicFile.CheckTarget(path, "the report");
        foreach (var (p, _) in charts) AtomicFile.CheckTarget(p, "a chart of the report");
        AtomicFile.WriteAllText(path, ToHtml());
        foreach (var (p, chart) in charts)
        {
            chart.Save(p);
            written.Add(p);
        }
        return written;
    }

    private const string PageCss =
        ":root{color-scheme:light dark;--fg:#1f2328;--bg:#ffffff;--line:#d8dee4;--head:#f6f8fa}\n" +
        "@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--line:#30363d;--head:#161b22}}\n" +
        "body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--fg);background:var(--bg);max-width:1000px;margin:2em auto;padding:0 1em}\n" +
        "table{border-collapse:collapse;margin:1em 0}caption{text-align:left;font-weight:600;padding:.3em 0}\n" +
        "th,td{border:1px solid var(--line);padding:.25em .6em}th{background:var(--head)}td.num{text-align:right;font-variant-numeric:tabular-nums}\n" +
        "figure{margin:1em 0}svg.nerve-chart{max-width:100%;height:auto}\n" + Displacy.Css;
}
