using System.Text;

namespace Nerve.Reports;

/// <summary>One marked phrase of a sentence: tokens [Start, End) and its label.</summary>
public readonly record struct MarkedSpan(int Start, int End, string Label);

/// <summary>
/// Sentences with their entities marked as displaCy renders them: <c>&lt;mark class="entity"&gt;</c> around the words,
/// the label in a small bold <c>&lt;span&gt;</c> after them, and a fixed colour per label (spaCy's for its labels, a
/// stable pick from a light palette for others).
/// </summary>
public static class Displacy
{
    private static readonly Dictionary<string, string> Known = new(StringComparer.Ordinal)
    {
        ["PER"] = "#aa9cfc", ["PERSON"] = "#aa9cfc", ["ORG"] = "#7aecec", ["LOC"] = "#ff9561", ["GPE"] = "#feca74",
        ["MISC"] = "#f0d0ff", ["NORP"] = "#c887fb", ["FAC"] = "#9cc9cc", ["EVENT"] = "#ffeb80", ["PRODUCT"] = "#bfeeb7",
        ["DATE"] = "#bfe1d9", ["TIME"] = "#bfe1d9", ["MONEY"] = "#e4e7d2", ["WORK_OF_ART"] = "#f0d0ff", ["LAW"] = "#ff8197",
    };

    private static readonly string[] Others = ["#ffd9a0", "#c9f0c0", "#b5d8ff", "#ffc2d1", "#e0e0a0", "#d0c8ff", "#a8e6e0", "#f5c6a5"];

    /// <summary>The label's colour: spaCy's for its labels, otherwise one of eight by an FNV-1a hash of the label's characters.</summary>
    public static string Colour(string label)
    {
        if (Known.TryGetValue(label, out var c)) return c;
        uint h = 2166136261;
        foreach (char ch in label) h = (h ^ ch) * 16777619;
        return Others[h % (uint)Others.Length];
    }

    /// <summary>The sentence as one HTML <c>div.entities</c>; spans must not overlap and lie within the words.</summary>
    public static string Render(IReadOnlyList<string> words, IEnumerable<MarkedSpan> spans, string? caption = null)
    {
        var sb = new StringBuilder("<div class=\"entities\">");
        if (caption is not null)
            sb.Append("<span class=\"caption\">").Append(Svg.Escape(caption)).Append("</span> ");
        int next = 0;
        foreach (var s in spans.OrderBy(s => s.Start))
        {
            if (s.Start < next || s.End > words.Count || s.End <= s.Start)
                throw new NerveException($"displaCy: span [{s.Start}, {s.End}) overlaps another or lies outside {words.Count} words");
            for (; next < s.Start; next++) sb.Append(Svg.Escape(words[next])).Append(' ');
            sb.Append("<mark class=\"entity\" style=\"background:").Append(Colour(s.Label)).Append("\">");
            for (; next < s.End; next++) sb.Append(Svg.Escape(words[next])).Append(next + 1 < s.End ? " " : "");
            sb.Append("<span>").Append(Svg.Escape(s.Label)).Append("</span></mark> ");
        }
        for (; next < words.Count; next++) sb.Append(Svg.Escape(words[next])).Append(' ');
        return sb.Append("</div>").ToString();
    }

    /// <summary>Page CSS for <see cref="Render"/>'s markup (displaCy's look), readable in light and dark themes.</summary>
    public const string Css =
        ".entities{line-height:2.4;margin:.2em 0}.entities .caption{font-size:.75em;opacity:.7;display:inline-block;width:5em}\n" +
        "mark.entity{color:#111;padding:.2em .35em;margin:0 .15em;border-radius:.35em;line-height:1}\n" +
        "mark.entity span{font-size:.7em;font-weight:bold;line-height:1;border-radius:.35em;vertical-align:middle;margin-left:.4rem;text-transform:uppercase}\n" +
        ".example{border-left:3px solid var(--line);padding-left:.6em;margin:.6em 0}\n";
}
