using System.Globalization;
using System.Text;

namespace Nerve.Evaluation;

/// <summary>Counts and scores of one conlleval run; <see cref="Format"/> prints them as the script does.</summary>
public sealed class ConllEvalResult
{
    internal ConllEvalResult(long tokens, long goldPhrases, long foundPhrases, long correctPhrases, long correctTags,
        IReadOnlyList<ConllTypeScore> types)
    {
        Tokens = tokens;
        GoldPhrases = goldPhrases;
        FoundPhrases = foundPhrases;
        CorrectPhrases = correctPhrases;
        CorrectTags = correctTags;
        Types = types;
        Accuracy = tokens > 0 ? 100.0 * correctTags / tokens : 0.0;
        Precision = foundPhrases > 0 ? 100.0 * correctPhrases / foundPhrases : 0.0;
        Recall = goldPhrases > 0 ? 100.0 * correctPhrases / goldPhrases : 0.0;
        F1 = Precision + Recall > 0 ? 2 * Precision * Recall / (Precision + Recall) : 0.0;
    }

    /// <summary>Tokens scored; sentence boundaries are not tokens.</summary>
    public long Tokens { get; }
    public long GoldPhrases { get; }
    public long FoundPhrases { get; }
    public long CorrectPhrases { get; }
    /// <summary>Tokens whose predicted tag equals the gold tag.</summary>
    public long CorrectTags { get; }
    /// <summary>Percent of tokens tagged correctly.</summary>
    public double Accuracy { get; }
    /// <summary>Percent of found phrases that are correct.</summary>
    public double Precision { get; }
    /// <summary>Percent of gold phrases that were found.</summary>
    public double Recall { get; }
    /// <summary>Harmonic mean of precision and recall (the script's FB1), in percent.</summary>
    public double F1 { get; }
    /// <summary>Per entity type, in byte order of the type names; types occurring in gold or predictions.</summary>
    public IReadOnlyList<ConllTypeScore> Types { get; }

    /// <summary>The script's report, byte for byte (LaTeX output is not supported).</summary>
    public string Format()
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"processed {Tokens} tokens with {GoldPhrases} phrases; found: {FoundPhrases} phrases; correct: {CorrectPhrases}.\n");
        if (Tokens > 0)
            sb.Append(inv, $"accuracy: {Pct(Accuracy)}%; precision: {Pct(Precision)}%; recall: {Pct(Recall)}%; FB1: {Pct(F1)}\n");
        foreach (var t in Types)
        {
            // The script's de-duplication treats a previous type "" as absent, so the empty type prints
            // twice when it occurs in both gold and predictions.
            int times = t.Type.Length == 0 && t.Gold > 0 && t.Found > 0 ? 2 : 1;
            for (int i = 0; i < times; i++)
            {
                sb.Append(PadLeft17(t.Type));
                sb.Append(inv, $": precision: {Pct(t.Precision)}%; recall: {Pct(t.Recall)}%; FB1: {Pct(t.F1)}  {t.Found}\n");
            }
        }
        return sb.ToString();
    }

    private static string Pct(double value) => CFormat.Fixed(value, 2, 6);

    // Perl's %17s counts bytes; the input is read as UTF-8.
    private static string PadLeft17(string type)
    {
        int bytes = Encoding.UTF8.GetByteCount(type);
        return bytes >= 17 ? type : new string(' ', 17 - bytes) + type;
    }
}
