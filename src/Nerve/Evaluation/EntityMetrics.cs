using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Nerve.Evaluation;

/// <summary>One entity type's precision, recall and F1 as fractions in [0, 1] (spaCy's <c>ents_per_type</c>), with conlleval's counts.</summary>
public sealed record TypeMetrics(string Type, double P, double R, double F, long Gold, long Found, long Correct);

/// <summary>
/// The phrase scores in spaCy's conventions: fractions, not percentages; a results table and a per-type table as
/// <c>spacy evaluate</c> prints them; and metrics.json with spaCy's keys (<c>ents_p</c>, <c>ents_r</c>, <c>ents_f</c>,
/// <c>ents_per_type</c>, <c>token_acc</c>, <c>speed</c>) plus conlleval's counts and figures.
/// </summary>
public sealed record EntityMetrics(double P, double R, double F, double TokenAccuracy, double WordsPerSecond,
    IReadOnlyList<TypeMetrics> Types, ConllEvalResult Conll)
{
    /// <summary>The same numbers as <paramref name="r"/> (conlleval's), divided by 100; types in conlleval's order.</summary>
    public static EntityMetrics From(ConllEvalResult r, double wordsPerSecond) => new(
        r.Precision / 100, r.Recall / 100, r.F1 / 100, r.Accuracy / 100, wordsPerSecond,
        [.. r.Types.Select(t => new TypeMetrics(t.Type, t.Precision / 100, t.Recall / 100, t.F1 / 100, t.Gold, t.Found, t.Correct))],
        r);

    /// <summary>spaCy's "Results" and "NER (per type)" tables, in percent with two decimals.</summary>
    public string Format()
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append("Results\n\n");
        sb.Append(inv, $"TOK     {100 * TokenAccuracy:F2}\n");
        sb.Append(inv, $"NER P   {100 * P:F2}\n");
        sb.Append(inv, $"NER R   {100 * R:F2}\n");
        sb.Append(inv, $"NER F   {100 * F:F2}\n");
        sb.Append(inv, $"SPEED   {WordsPerSecond:F0}\n");
        if (Types.Count == 0)
            return sb.ToString();
        int w = Math.Max(4, Types.Max(t => t.Type.Length));
        sb.Append("\nNER (per type)\n\n");
        sb.Append(new string(' ', w)).Append("        P        R        F     gold    found\n");
        foreach (var t in Types)
            sb.Append(inv, $"{t.Type.PadRight(w)} {100 * t.P,8:F2} {100 * t.R,8:F2} {100 * t.F,8:F2} {t.Gold,8} {t.Found,8}\n");
        return sb.ToString();
    }

    /// <summary>
    /// metrics.json: spaCy's keys first, then Nerve's (token counts and the conlleval figures in percent), then what
    /// <paramref name="extra"/> writes into the top-level object.
    /// </summary>
    public string ToJson(Action<Utf8JsonWriter>? extra = null)
    {
        using var stream = new MemoryStream();
        using (var j = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            j.WriteStartObject();
            j.WriteNumber("token_acc", TokenAccuracy);
            j.WriteNumber("ents_p", P);
            j.WriteNumber("ents_r", R);
            j.WriteNumber("ents_f", F);
            j.WriteStartObject("ents_per_type");
            foreach (var t in Types)
            {
                j.WriteStartObject(t.Type);
                j.WriteNumber("p", t.P);
                j.WriteNumber("r", t.R);
                j.WriteNumber("f", t.F);
                j.WriteEndObject();
            }
            j.WriteEndObject();
            j.WriteNumber("speed", Math.Round(WordsPerSecond, 1));
            j.WriteNumber("tokens", Conll.Tokens);
            j.WriteNumber("gold_entities", Conll.GoldPhrases);
            j.WriteNumber("found_entities", Conll.FoundPhrases);
            j.WriteNumber("correct_entities", Conll.CorrectPhrases);
            j.WriteStartObject("conlleval");
            j.WriteNumber("accuracy", Math.Round(Conll.Accuracy, 2));
            j.WriteNumber("precision", Math.Round(Conll.Precision, 2));
            j.WriteNumber("recall", Math.Round(Conll.Recall, 2));
            j.WriteNumber("fb1", Math.Round(Conll.F1, 2));
            j.WriteStartObject("per_type");
            foreach (var t in Conll.Types)
            {
                j.WriteStartObject(t.Type);
                j.WriteNumber("precision", Math.Round(t.Precision, 2));
                j.WriteNumber("recall", Math.Round(t.Recall, 2));
                j.WriteNumber("fb1", Math.Round(t.F1, 2));
                j.WriteNumber("gold", t.Gold);
                j.WriteNumber("found", t.Found);
                j.WriteNumber("correct", t.Correct);
                j.WriteEndObject();
            }
            j.WriteEndObject();
            j.WriteEndObject();
            extra?.Invoke(j);
            j.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
