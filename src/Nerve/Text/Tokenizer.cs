using System.Text.RegularExpressions;

namespace Nerve.Text;

/// <summary>A token of raw text with its character offsets [Start, End) into the original string.</summary>
public readonly record struct TextToken(string Text, int Start, int End);

/// <summary>
/// Splits raw text into sentences of tokens, CoNLL-2003 style: words (with inner hyphens, apostrophes and periods of
/// abbreviations like "U.S."), numbers ("3,500.25"), clitics split off ("do n't" is not done; "'s" is), and every other
/// symbol on its own. Sentences end after . ! ? (and closing quotes/brackets) when the next token starts upper case or a digit.
/// Offsets always index the original text, so entities can be mapped back.
/// </summary>
public static partial class Tokenizer
{
    [GeneratedRegex(@"(?:[A-Za-z]\.){2,}|\p{L}[\p{L}\p{M}\d]*(?:[-'’][\p{L}\d]+)*(?=(?:'s|’s)\b)|\p{L}[\p{L}\p{M}\d]*(?:[-'’&][\p{L}\d]+)*|['’][sS]\b|\d+(?:[.,:/-]\d+)*(?:\p{L}+)?|\S", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();

    private static readonly HashSet<string> Abbreviations = new(StringComparer.Ordinal)
    {
        "Mr", "Mrs", "Ms", "Dr", "Prof", "Sr", "Jr", "St", "Gen", "Col", "Lt", "Sgt", "Capt", "Gov", "Sen", "Rep", "Rev",
        "Inc", "Ltd", "Corp", "Co", "Jan", "Feb", "Mar", "Apr", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "vs", "No",
    };

    /// <summary>All tokens of <paramref name="text"/>, in order.</summary>
    public static List<TextToken> Tokenize(string text)
    {
        var tokens = new List<TextToken>();
        foreach (Match m in TokenPattern().Matches(text))
        {
            // An abbreviation keeps its period ("Mr." "Inc."), as in CoNLL-2003.
            if (m.Value == "." && tokens.Count > 0 && tokens[^1].End == m.Index && Abbreviations.Contains(tokens[^1].Text))
            {
                var prev = tokens[^1];
                tokens[^1] = new TextToken(prev.Text + ".", prev.Start, m.Index + 1);
                continue;
            }
            tokens.Add(new TextToken(m.Value, m.Index, m.Index + m.Length));
        }
        return tokens;
    }

    /// <summary>Tokens grouped into sentences.</summary>
    public static List<List<TextToken>> Sentences(string text)
    {
        var result = new List<List<TextToken>>();
        var current = new List<TextToken>();
        var tokens = Tokenize(text);
        for (int i = 0; i < tokens.Count; i++)
        {
            current.Add(tokens[i]);
            if (!IsTerminal(tokens[i].Text)) continue;
            // Closing quotes and brackets stay with the sentence they close.
            while (i + 1 < tokens.Count && tokens[i + 1].Text is "\"" or "'" or ")" or "”" or "’")
                current.Add(tokens[++i]);
            bool nextStarts = i + 1 >= tokens.Count || char.IsUpper(tokens[i + 1].Text[0]) || char.IsDigit(tokens[i + 1].Text[0]) || tokens[i + 1].Text is "\"" or "“" or "(";
            bool paragraph = i + 1 < tokens.Count && text.AsSpan(tokens[i].End, tokens[i + 1].Start - tokens[i].End).Contains("\n\n", StringComparison.Ordinal);
            if (nextStarts || paragraph)
            {
                result.Add(current);
                current = [];
            }
        }
        if (current.Count > 0) result.Add(current);
        return result;
    }

    private static bool IsTerminal(string token) => token is "." or "!" or "?";
}
