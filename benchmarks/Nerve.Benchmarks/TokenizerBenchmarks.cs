using System.Text;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using Nerve.Text;

namespace Nerve.Benchmarks;

/// <summary>
/// Raw-text tokenization over about 1 MB of news text: the grapheme scanner (<see cref="Tokenizer.Tokenize"/>) against
/// the regex it replaced (baseline, kept here verbatim), sentence splitting on top, and the scanner on mixed-script
/// text (emoji, CJK, Arabic, combining marks), where every cluster leaves the ASCII fast path.
/// </summary>
[MemoryDiagnoser]
public partial class TokenizerBenchmarks
{
    private const string News = "German Chancellor Helmut Kohl met U.S. President Bill Clinton in Bonn on Tuesday. The two leaders discussed "
        + "NATO expansion and the European Union's plans, a spokesman for the Foreign Ministry said. Shares of Daimler-Benz "
        + "rose 2 percent to 3,500.25 marks in Frankfurt after Reuters reported a deal with Chrysler, didn't it?\n\n";

    private const string Mixed = "Kohl 👍🏽 met 東京都の代表 and قال الرئيس in Zu\u0308rich 🇩🇪 — “Café” 👨‍👩‍👧 résumé, 12:30. ";

    private string _news = "", _mixed = "";

    [GlobalSetup]
    public void Setup()
    {
        _news = Repeat(News, 1 << 20);
        _mixed = Repeat(Mixed, 1 << 20);
    }

    private static string Repeat(string unit, int chars)
    {
        var sb = new StringBuilder(chars + unit.Length);
        while (sb.Length < chars) sb.Append(unit);
        return sb.ToString();
    }

    [Benchmark(Baseline = true)]
    public int RegexNews() => OldTokenize(_news).Count;

    [Benchmark]
    public int TokenizeNews() => Tokenizer.Tokenize(_news).Count;

    [Benchmark]
    public int SentencesNews() => Tokenizer.Sentences(_news).Count;

    [Benchmark]
    public int TokenizeMixed() => Tokenizer.Tokenize(_mixed).Count;

    // The regex tokenizer before the scanner, as it was.
    private static readonly HashSet<string> OldAbbreviations = new(StringComparer.Ordinal)
    {
        "Mr", "Mrs", "Ms", "Dr", "Prof", "Sr", "Jr", "St", "Gen", "Col", "Lt", "Sgt", "Capt", "Gov", "Sen", "Rep", "Rev",
        "Inc", "Ltd", "Corp", "Co", "Jan", "Feb", "Mar", "Apr", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "vs", "No",
    };

    private static List<TextToken> OldTokenize(string text)
    {
        var tokens = new List<TextToken>();
        foreach (Match m in OldPattern().Matches(text))
        {
            if (m.Value == "." && tokens.Count > 0 && tokens[^1].End == m.Index && OldAbbreviations.Contains(tokens[^1].Text))
            {
                var prev = tokens[^1];
                tokens[^1] = new TextToken(prev.Text + ".", prev.Start, m.Index + 1);
                continue;
            }
            tokens.Add(new TextToken(m.Value, m.Index, m.Index + m.Length));
        }
        return tokens;
    }

    [GeneratedRegex(@"(?:[A-Za-z]\.){2,}|\p{L}[\p{L}\p{M}\d]*(?:[-'’][\p{L}\d]+)*(?=(?:'s|’s)\b)|\p{L}[\p{L}\p{M}\d]*(?:[-'’&][\p{L}\d]+)*|['’][sS]\b|\d+(?:[.,:/-]\d+)*(?:\p{L}+)?|\S", RegexOptions.CultureInvariant)]
    private static partial Regex OldPattern();
}
