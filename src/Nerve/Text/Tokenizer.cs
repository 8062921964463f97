using System.Globalization;
using System.Text;

namespace Nerve.Text;

/// <summary>
/// A token of raw text: <see cref="Text"/> is <c>text[Start..End]</c>, with <see cref="Start"/> and <see cref="End"/>
/// end-exclusive offsets in UTF-16 code units into the original string (as string indices in C#, Java and
/// JavaScript). <see cref="TextOffsets"/> converts them to code points for Python users.
/// </summary>
public readonly record struct TextToken(string Text, int Start, int End);

/// <summary>
/// Splits raw text into tokens and sentences the way CoNLL-2003 (the model's training data) is tokenized.
/// <para><b>Units.</b> The scanner reads extended grapheme clusters (<see cref="StringInfo.GetNextTextElementLength(ReadOnlySpan{char})"/>,
/// Unicode UAX #29), so no token starts or ends inside a surrogate pair or between a base and its combining marks,
/// and an emoji with skin tone, variation selector or ZWJ sequence, or a flag, is one token. A cluster is cut before
/// any whitespace inside it (a prepended mark does not swallow a space). A lone surrogate is a one-unit token.</para>
/// <para><b>Whitespace.</b> Separators are Unicode white space, every control character (C0, DEL, C1: they are
/// treated as spaces, never kept in a token) and the invisible format characters U+200B, U+200E/F, U+202A–E,
/// U+2060–4, U+2066–F and U+FEFF, so a BOM at the start is skipped. CR, LF and CRLF all end lines.</para>
/// <para><b>Tokens</b>, tried in this order at each start:</para>
/// <list type="bullet">
/// <item>URLs: <c>http://</c>, <c>https://</c>, <c>ftp://</c> or <c>www.</c> up to white space or a quote or angle
/// bracket, without trailing <c>. , ; : ! ? '</c> or an unbalanced closing bracket.</item>
/// <item>E-mail addresses: ASCII <c>local@label.label…</c>.</item>
/// <item>Dotted abbreviations of single letters: "U.S.", "e.g.", "p.m.".</item>
/// <item>Words: letters, digits and combining marks, joined by inner hyphens ("Daimler-Benz", "F-16"), apostrophes
/// ("o'clock", "O'Neill") and ampersands ("S&amp;P") when a letter or digit follows. Clitics are split off as in
/// CoNLL-2003 (Penn Treebank): "'s 're 'm 've 'll 'd" ("Union 's", "they 're") and "n't" ("do n't", "ca n't",
/// "wo n't"). A word in the abbreviation list ("Mr", "Inc", "Calif") or a single capital letter (an initial, "M.")
/// keeps its period.</item>
/// <item>CJK: every Han ideograph is a token of its own (there is no dictionary to segment Chinese or Japanese);
/// a run of hiragana or of katakana is one token. Hangul, Arabic, Hebrew, Thai and other scripts form words like
/// Latin (right-to-left text is tokenized in logical order; Thai, written without spaces, gives one token per run).</item>
/// <item>Numbers: digits with inner separators <c>. , : / -</c> ("1,000,000", "3.5", "12:30", "1/2", "1996-08-28"),
/// a letter suffix ("10th", "1990s"), hyphenated continuations ("12-year-old"), and a leading sign when the number
/// follows white space or an opening bracket ("-5", "+44", ".496"). A percent or currency sign is its own token, except
/// after one to three capitals ("C$", "US$"). A list number first on a line keeps its period ("1. Hakkinen").</item>
/// <item>Everything else is one grapheme cluster per token, except runs of periods ("..."), of hyphens ("--"),
/// and the quotes <c>``</c> and <c>''</c>. Straight and curly quotes are tokens of their own.</item>
/// </list>
/// <para><b>Sentences</b> (<see cref="Sentences(string)"/>) end:</para>
/// <list type="number">
/// <item>at a paragraph break: two line ends (LF, CR, CRLF, U+0085, U+2028) with only white space between, or U+2029;</item>
/// <item>after <c>. ! ?</c>, a run of periods or "…" (with the closing quotes and brackets that follow it) when the
/// next token starts upper-case, title-case or with a letter of a caseless script, a digit, or an opening quote or
/// bracket;</item>
/// <item>after the CJK, Arabic and Devanagari terminals <c>。 ！ ？ ｡ ؟ ۔ । ॥</c>, always;</item>
/// <item>after an abbreviation with a period ("U.S.", "Inc.", "M.") only when the next token is a frequent sentence
/// starter ("The", "He", "In", …); after a title ("Mr.", "Dr.", "St."), "e.g.", "i.e.", "vs." or a list number, never.</item>
/// </list>
/// A single line break never ends a sentence. The scanner is linear in the input length: every lookahead that can
/// fail remembers how far it read, so no position is re-read more than a constant number of times.
/// </summary>
public static class Tokenizer
{
    /// <summary>All tokens of <paramref name="text"/>, in order, with UTF-16 offsets.</summary>
    public static List<TextToken> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<TextToken>();
        var scanner = new Scanner(text);
        while (scanner.Next(out int start, out int end))
            tokens.Add(new TextToken(text.Substring(start, end - start), start, end));
        return tokens;
    }

    /// <summary>
    /// The text of <paramref name="reader"/> in blocks of whole paragraphs, about <paramref name="blockChars"/> characters
    /// each, for tagging a stream in bounded memory. A block ends after a blank (white-space-only) line, where a sentence
    /// ends anyway, so <see cref="Sentences(string)"/> of each block gives the sentences of the whole text. A paragraph
    /// longer than four blocks is cut at its last line end instead (a sentence wrapped over that line end is split there).
    /// With <paramref name="wholeDocuments"/> a block ends only before a document (<see cref="DocumentStarts"/>), unless
    /// the document is longer than four blocks: it is then cut at a paragraph end.
    /// </summary>
    public static IEnumerable<string> Blocks(TextReader reader, int blockChars = 1 << 18, bool wholeDocuments = false)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockChars, 1);
        return Read();

        IEnumerable<string> Read()
        {
            var buffer = new char[blockChars];
            int length = 0;
            bool eof = false;
            while (!eof)
            {
                int want = length + blockChars;
                if (buffer.Length < want) Array.Resize(ref buffer, Math.Max(want, 2 * buffer.Length));
                while (!eof && length < want)
                {
                    int read = reader.Read(buffer, length, want - length);
                    if (read == 0) eof = true;
                    length += read;
                }
                if (eof) break;
                var text = buffer.AsSpan(0, length);
                int cut = wholeDocuments ? DocumentStarts(text) is [.., int last] ? last : 0 : LastParagraphEnd(text);
                if (cut == 0 && wholeDocuments && length >= 4 * blockChars) cut = LastParagraphEnd(text);
                if (cut == 0 && length >= 4 * blockChars)
                {
                    cut = text.LastIndexOf('\n') + 1;
                    if (cut == 0) cut = text.LastIndexOfAny(' ', '\t', '\r') + 1; // no line end at all: at a space, or anywhere but inside a surrogate pair
                    if (cut == 0) cut = char.IsHighSurrogate(text[^1]) ? length - 1 : length;
                }
                if (cut == 0) continue;
                yield return new string(buffer, 0, cut);
                buffer.AsSpan(cut, length - cut).CopyTo(buffer);
                length -= cut;
            }
            if (length > 0) yield return new string(buffer, 0, length);
        }
    }

    /// <summary>
    /// Where the documents of <paramref name="text"/> start after the first, for <c>--doc-sep blank2</c>: the offset of
    /// each non-blank line that follows two or more blank (white-space-only) lines, in order.
    /// </summary>
    public static List<int> DocumentStarts(ReadOnlySpan<char> text)
    {
        var starts = new List<int>();
        int blanks = 0;
        bool any = false;
        for (int start = 0; start < text.Length;)
        {
            int eol = text[start..].IndexOfAny('\n', '\r');
            int end = eol < 0 ? text.Length : start + eol;
            if (text[start..end].IsWhiteSpace())
            {
                blanks++;
            }
            else
            {
                if (blanks >= 2 && any) starts.Add(start);
                blanks = 0;
                any = true;
            }
            start = eol < 0 ? text.Length : end + (text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n' ? 2 : 1); // \n, \r\n or \r
        }
        return starts;
    }

    /// <summary>The position after the last "\n" that ends a white-space-only line after another line end, 0 if none.</summary>
    private static int LastParagraphEnd(ReadOnlySpan<char> text)
    {
        int at = text.Length;
        while (true)
        {
            int nl = text[..at].LastIndexOf('\n');
            if (nl <= 0) return 0;
            int stop = text[nl - 1] == '\r' ? nl - 1 : nl; // the line ends at "\r\n" or "\n"
            int start = text[..stop].LastIndexOfAny('\n', '\r') + 1;
            if (start > 0 && text[start..stop].IsWhiteSpace()) return nl + 1;
            at = start;
            if (at == 0) return 0;
        }
    }

    /// <summary>The tokens of <paramref name="text"/> grouped into sentences (rules in the class summary).</summary>
    public static List<List<TextToken>> Sentences(string text) => Sentences(text, Tokenize(text));

    /// <summary>
    /// <paramref name="tokens"/> (the tokens of <paramref name="text"/>, in order) grouped into sentences.
    /// </summary>
    /// <exception cref="ArgumentException">A token is empty, outside the text, or overlaps the one before.</exception>
    public static List<List<TextToken>> Sentences(string text, IReadOnlyList<TextToken> tokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(tokens);
        for (int i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Start < (i > 0 ? tokens[i - 1].End : 0) || tokens[i].End <= tokens[i].Start || tokens[i].End > text.Length)
                throw new ArgumentException($"token {i} ({tokens[i].Start}..{tokens[i].End}) is not in order within the text", nameof(tokens));
        }
        var result = new List<List<TextToken>>();
        var current = new List<TextToken>();
        for (int i = 0; i < tokens.Count; i++)
        {
            current.Add(tokens[i]);
            if (i + 1 == tokens.Count) break;
            bool ends = ParagraphBreak(text, tokens[i].End, tokens[i + 1].Start);
            var terminal = ends ? Terminal.None : TerminalOf(tokens[i].Text);
            if (terminal != Terminal.None)
            {
                // Closing quotes and brackets stay with the sentence they close (a straight quote only when it touches).
                while (i + 1 < tokens.Count && !ParagraphBreak(text, tokens[i].End, tokens[i + 1].Start)
                       && IsCloser(tokens[i + 1].Text, tokens[i + 1].Start == tokens[i].End))
                    current.Add(tokens[++i]);
                if (i + 1 == tokens.Count) break;
                string next = tokens[i + 1].Text;
                ends = ParagraphBreak(text, tokens[i].End, tokens[i + 1].Start) || terminal switch
                {
                    Terminal.Strong => true,
                    Terminal.Period => StartsSentence(next),
                    Terminal.Abbreviation => IsSentenceStarter(next),
                    _ => false,
                };
            }
            if (ends)
            {
                result.Add(current);
                current = [];
            }
        }
        if (current.Count > 0) result.Add(current);
        return result;
    }

    private enum Terminal { None, Period, Strong, Abbreviation, Title }

    private static Terminal TerminalOf(string token)
    {
        if (token is "!" or "?" or "…") return Terminal.Period;
        if (token is "。" or "！" or "？" or "｡" or "؟" or "۔" or "।" or "॥") return Terminal.Strong;
        if (token.Length == 0 || token[^1] != '.') return Terminal.None;
        if (token.AsSpan().IndexOfAnyExcept('.') < 0) return Terminal.Period;
        var word = token.AsSpan(0, token.Length - 1);
        return TitleLookup.Contains(word) || char.IsAsciiDigit(word[0]) || word is "e.g" or "i.e" or "E.g" or "I.e" ? Terminal.Title : Terminal.Abbreviation;
    }

    private static bool IsCloser(string token, bool touching) =>
        token is ")" or "]" or "}" or "”" or "’" or "»" or "''" or "」" or "』" or "）" || (touching && token is "\"" or "'");

    /// <summary>Whether a token may begin a sentence after a period: upper or title case, a caseless letter, a digit, or an opener.</summary>
    private static bool StartsSentence(string token)
    {
        if (token is "\"" or "“" or "‘" or "(" or "[" or "``" or "'" or "«" or "¿" or "¡" or "「" or "『") return true;
        if (Rune.DecodeFromUtf16(token, out Rune r, out _) != System.Buffers.OperationStatus.Done) return false;
        return Rune.IsDigit(r) || (Rune.IsLetter(r) && !Rune.IsLower(r));
    }

    private static bool IsSentenceStarter(string token) => char.IsUpper(token[0]) && Starters.Contains(token);

    /// <summary>Whether the gap [from, to) of white space holds two line ends (CRLF counts once) or U+2029.</summary>
    private static bool ParagraphBreak(string text, int from, int to)
    {
        int lines = 0;
        for (int k = from; k < to; k++)
        {
            char c = text[k];
            if (c == '\u2029') return true;
            if (c is '\n' or '\u0085' or '\u2028' || (c == '\r' && (k + 1 == to || text[k + 1] != '\n')))
            {
                if (++lines == 2) return true;
            }
        }
        return false;
    }

    // Abbreviations that never end a sentence: titles before a name, and "vs", "cf".
    private static readonly HashSet<string> Titles = new(StringComparer.Ordinal)
    {
        "Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "Rev", "Hon", "Gen", "Col", "Lt", "Sgt", "Capt", "Cmdr", "Adm", "Maj",
        "Gov", "Sen", "Rep", "Pres", "Fr", "St", "Messrs", "Mme", "Mlle", "vs", "cf",
    };

    // Abbreviations that keep their period and end a sentence only before a frequent sentence starter.
    private static readonly HashSet<string> Abbreviations = new(StringComparer.Ordinal)
    {
        "Inc", "Ltd", "Corp", "Co", "Cos", "Bros", "Jr", "Sr", "No", "Nos", "Vol", "vol", "pp", "etc", "al", "approx",
        "Dept", "Univ", "Assn", "Ave", "Blvd", "Rd", "Mt", "Ft",
        "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
        "Ala", "Ariz", "Ark", "Calif", "Colo", "Conn", "Del", "Fla", "Ga", "Ind", "Kan", "Kans", "Ky", "Md", "Mich",
        "Minn", "Mont", "Neb", "Nev", "Okla", "Ore", "Pa", "Tenn", "Tex", "Va", "Vt", "Wis", "Wyo",
    };

    // Capitalised function words that begin sentences far more often than they follow "U.S." or "Inc." in one.
    private static readonly HashSet<string> Starters = new(StringComparer.OrdinalIgnoreCase)
    {
        "A", "An", "The", "This", "That", "These", "Those", "It", "Its", "He", "She", "They", "We", "I", "You", "His",
        "Her", "Their", "Our", "My", "Your", "There", "Here", "But", "And", "Or", "So", "Yet", "If", "In", "On", "At",
        "As", "For", "From", "By", "With", "After", "Before", "When", "While", "Since", "Although", "Though", "However",
        "Meanwhile", "Also", "Then", "Now", "What", "Who", "Why", "How", "Where", "Some", "Many", "Most", "Both", "Each",
        "All", "Other", "Such", "Under", "Despite", "During", "Because", "Still", "Thus",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> TitleLookup = Titles.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> AbbreviationLookup = Abbreviations.GetAlternateLookup<ReadOnlySpan<char>>();

    private enum Kind { Other, Letter, Digit, Mark, Han, Hiragana, Katakana }

    /// <summary>
    /// The hand-written scanner. Each method returns the end of the token it read; the two lookaheads that can fail
    /// after reading far (e-mail, dotted abbreviation) record the position they reached, below which they cannot
    /// succeed, so a 10 MB line without spaces is still read in linear time.
    /// </summary>
    private struct Scanner(string text)
    {
        private readonly string _s = text;
        private int _pos;
        private int _noEmailBefore, _noDottedBefore;

        public bool Next(out int start, out int end)
        {
            string s = _s;
            int i = _pos;
            while (i < s.Length)
            {
                int w = SpaceWidth(s, i);
                if (w == 0) break;
                i += w;
            }
            start = i;
            if (i == s.Length)
            {
                end = _pos = i;
                return false;
            }
            end = _pos = Token(i);
            return true;
        }

        private int Token(int i)
        {
            string s = _s;
            char c = s[i];
            Kind kind = KindAt(s, i);
            int end;
            switch (kind)
            {
                case Kind.Letter:
                    if ((c | 0x20) is 'h' or 'f' or 'w' && (end = Url(i)) > 0) return end;
                    if (c < 0x80 && (end = Email(i)) > 0) return end;
                    if ((end = Dotted(i)) > 0) return end;
                    end = Word(i, kind);
                    if (end < s.Length && s[end] == '$' && end - i <= 3 && IsAsciiUpper(s.AsSpan(i, end - i)) && ClusterLength(s, end) == 1)
                        return end + 1; // "C$", "US$", "HK$"
                    return end < s.Length && s[end] == '.' && ClusterLength(s, end) == 1 && KeepsPeriod(s, i, end) ? end + 1 : end;
                case Kind.Digit:
                    if (c < 0x80 && (end = Email(i)) > 0) return end;
                    end = Number(i);
                    return IsListNumber(s, i, end) ? end + 1 : end;
                case Kind.Hiragana or Kind.Katakana:
                    return Word(i, kind);
                case Kind.Han:
                    return i + ClusterLength(s, i);
                default:
                    return Symbol(i);
            }
        }

        /// <summary>A word from the letter at <paramref name="i"/>; see the class summary for joiners and clitics.</summary>
        private readonly int Word(int i, Kind kind)
        {
            string s = _s;
            int j = i + ClusterLength(s, i);
            while (j < s.Length)
            {
                Kind k = KindAt(s, j);
                if (k == kind || k == Kind.Mark || (k == Kind.Digit && kind == Kind.Letter))
                {
                    j += ClusterLength(s, j);
                    continue;
                }
                char c = s[j];
                if (!IsJoiner(c) || kind != Kind.Letter || ClusterLength(s, j) != 1 || j + 1 == s.Length) break;
                Kind after = KindAt(s, j + 1);
                if (after is not (Kind.Letter or Kind.Digit)) break;
                if (c is '\'' or '’')
                {
                    int b = j + 1;
                    while (b < s.Length && char.IsAsciiLetter(s[b])) b++;
                    if (b == s.Length || KindAt(s, b) is not (Kind.Letter or Kind.Digit or Kind.Mark))
                    {
                        var tail = s.AsSpan(j + 1, b - j - 1);
                        if (IsClitic(tail)) return j; // "Union" | "'s"
                        if (tail is "t" or "T" && j - 1 > i && s[j - 1] is 'n' or 'N') return j - 1; // "do" | "n't"
                    }
                }
                j++;
            }
            return j;
        }

        /// <summary>A number from the digit (or sign) at <paramref name="i"/>.</summary>
        private readonly int Number(int i)
        {
            string s = _s;
            int j = Digits(i);
            while (j + 1 < s.Length && s[j] is '.' or ',' or ':' or '/' or '-' && KindAt(s, j + 1) == Kind.Digit && ClusterLength(s, j) == 1)
                j = Digits(j + 1);
            while (j < s.Length && KindAt(s, j) is Kind.Letter or Kind.Mark) j += ClusterLength(s, j); // "10th", "1990s"
            while (j + 1 < s.Length && s[j] == '-' && KindAt(s, j + 1) is Kind.Letter or Kind.Digit && ClusterLength(s, j) == 1)
            {
                j++; // "12-year-old"
                while (j < s.Length && KindAt(s, j) is Kind.Letter or Kind.Digit or Kind.Mark) j += ClusterLength(s, j);
            }
            return j;
        }

        private readonly int Digits(int j)
        {
            string s = _s;
            while (j < s.Length && KindAt(s, j) == Kind.Digit) j += ClusterLength(s, j);
            return j;
        }

        /// <summary>A symbol: one cluster, a signed number, a clitic, or a run of periods or hyphens, `` or ''.</summary>
        private readonly int Symbol(int i)
        {
            string s = _s;
            char c = s[i];
            int len = ClusterLength(s, i);
            if (len != 1 || i + 1 == s.Length) return i + len;
            char d = s[i + 1];
            if (c is '+' or '-' or '−' && KindAt(s, i + 1) == Kind.Digit && (i == 0 || SpaceWidth(s, i - 1) > 0 || IsOpener(s[i - 1])))
                return Number(i + 1);
            if (c is '\'' or '’' && char.IsAsciiLetter(d))
            {
                int b = i + 1;
                while (b < s.Length && char.IsAsciiLetter(s[b])) b++;
                if (IsClitic(s.AsSpan(i + 1, b - i - 1)) && ClusterLength(s, b - 1) == 1
                    && (b == s.Length || KindAt(s, b) is not (Kind.Letter or Kind.Digit or Kind.Mark)))
                    return b;
            }
            if (c == '.' && KindAt(s, i + 1) == Kind.Digit && (i == 0 || SpaceWidth(s, i - 1) > 0 || IsOpener(s[i - 1])))
                return Number(i + 1); // ".496"
            if ((c is '`' or '\'') && d == c && ClusterLength(s, i + 1) == 1) return i + 2;
            if (c is '.' or '-')
            {
                int j = i + 1;
                while (j < s.Length && s[j] == c && ClusterLength(s, j) == 1) j++;
                return j;
            }
            return i + 1;
        }

        /// <summary>The end of a URL starting at <paramref name="i"/>, or 0.</summary>
        private readonly int Url(int i)
        {
            string s = _s;
            var rest = s.AsSpan(i);
            int prefix = rest.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? 8
                : rest.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? 7
                : rest.StartsWith("ftp://", StringComparison.OrdinalIgnoreCase) ? 6
                : rest.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? 4 : 0;
            if (prefix == 0) return 0;
            int j = i + prefix, parens = 0, brackets = 0;
            while (j < s.Length && SpaceWidth(s, j) == 0 && s[j] is not ('"' or '<' or '>' or '“' or '”' or '‘' or '’' or '«' or '»' or '`'))
            {
                parens += s[j] == '(' ? 1 : s[j] == ')' ? -1 : 0;
                brackets += s[j] == '[' ? 1 : s[j] == ']' ? -1 : 0;
                j += ClusterLength(s, j);
            }
            while (j > i + prefix && s[j - 2] < 0x80) // an ASCII neighbour: the trimmed character is a whole cluster
            {
                char c = s[j - 1];
                if (c is '.' or ',' or ';' or ':' or '!' or '?' or '\'') j--;
                else if (c == ')' && parens < 0) { j--; parens++; }
                else if (c == ']' && brackets < 0) { j--; brackets++; }
                else break;
            }
            return j > i + prefix ? j : 0;
        }

        /// <summary>The end of an ASCII e-mail address starting at <paramref name="i"/>, or 0.</summary>
        private int Email(int i)
        {
            if (i < _noEmailBefore) return 0;
            string s = _s;
            int at = i;
            while (at < s.Length && (char.IsAsciiLetterOrDigit(s[at]) || s[at] is '.' or '_' or '%' or '+' or '-')) at++;
            int end = 0;
            if (at < s.Length && s[at] == '@' && s[at - 1] != '.')
            {
                int j = at + 1, labels = 0;
                while (true)
                {
                    int label = j;
                    while (j < s.Length && (char.IsAsciiLetterOrDigit(s[j]) || s[j] == '-')) j++;
                    if (j == label || s[j - 1] == '-') break;
                    labels++;
                    end = labels >= 2 ? j : 0;
                    if (j + 1 < s.Length && s[j] == '.' && char.IsAsciiLetterOrDigit(s[j + 1])) j++;
                    else break;
                }
                if (end > 0 && (end == s.Length || ClusterLength(s, end - 1) == 1)) return end;
            }
            _noEmailBefore = at; // any later start before '@' reaches the same '@' (or none) and fails the same way
            return 0;
        }

        /// <summary>The end of a dotted abbreviation of single letters ("U.S.", "e.g.") at <paramref name="i"/>, or 0.</summary>
        private int Dotted(int i)
        {
            if (i < _noDottedBefore) return 0;
            string s = _s;
            int j = i, count = 0;
            while (j < s.Length && KindAt(s, j) == Kind.Letter)
            {
                int l = ClusterLength(s, j);
                if (j + l >= s.Length || s[j + l] != '.' || ClusterLength(s, j + l) != 1) break;
                j += l + 1;
                count++;
            }
            if (count >= 2 && (j == s.Length || KindAt(s, j) is not (Kind.Letter or Kind.Digit or Kind.Mark or Kind.Han or Kind.Hiragana or Kind.Katakana)))
                return j;
            _noDottedBefore = j; // a later start inside the run stops at the same place with fewer letters
            return 0;
        }

        /// <summary>Whether the word [i, end) keeps a following period: a listed abbreviation or a capital initial.</summary>
        private static bool KeepsPeriod(string s, int i, int end)
        {
            var word = s.AsSpan(i, end - i);
            if (ClusterLength(s, i) == end - i && Rune.IsUpper(Rune.GetRuneAt(s, i))) return true;
            return TitleLookup.Contains(word) || AbbreviationLookup.Contains(word);
        }
    }

    /// <summary>
    /// Whether the number [i, end) is a list number that keeps its period ("1. Hakkinen"): one to three ASCII digits
    /// first on a line, followed by a period and white space.
    /// </summary>
    private static bool IsListNumber(string s, int i, int end)
    {
        if (end - i > 3 || end + 1 >= s.Length || s[end] != '.' || SpaceWidth(s, end + 1) == 0) return false;
        foreach (char c in s.AsSpan(i, end - i))
            if (!char.IsAsciiDigit(c)) return false;
        int k = i - 1;
        while (k >= 0 && s[k] is ' ' or '\t') k--;
        return k < 0 || s[k] is '\n' or '\r' or '\u0085' or '\u2028' or '\u2029' or '\uFEFF';
    }

    private static bool IsAsciiUpper(ReadOnlySpan<char> word)
    {
        foreach (char c in word)
            if (!char.IsAsciiLetterUpper(c)) return false;
        return true;
    }

    private static bool IsClitic(ReadOnlySpan<char> tail) =>
        tail.Equals("s", StringComparison.OrdinalIgnoreCase) || tail.Equals("re", StringComparison.OrdinalIgnoreCase)
        || tail.Equals("m", StringComparison.OrdinalIgnoreCase) || tail.Equals("ve", StringComparison.OrdinalIgnoreCase)
        || tail.Equals("ll", StringComparison.OrdinalIgnoreCase) || tail.Equals("d", StringComparison.OrdinalIgnoreCase);

    private static bool IsJoiner(char c) => c is '-' or '\u2010' or '\u2011' or '\'' or '’' or '&' or '\u05F3' or '\u05F4';

    private static bool IsOpener(char c) => c is '(' or '[' or '{' or '"' or '“' or '‘' or '«';

    /// <summary>The UTF-16 width of the separator at <paramref name="i"/> (white space, a control, an invisible format character), or 0.</summary>
    private static int SpaceWidth(string s, int i)
    {
        char c = s[i];
        if (c < 0x80) return c <= ' ' || c == '\x7F' ? 1 : 0;
        return char.IsWhiteSpace(c) || char.IsControl(c) || c is '\u200B' or '\u200E' or '\u200F' or '\uFEFF'
            or (>= '\u202A' and <= '\u202E') or (>= '\u2060' and <= '\u2064') or (>= '\u2066' and <= '\u206F') ? 1 : 0;
    }

    /// <summary>
    /// The UTF-16 length of the grapheme cluster at <paramref name="i"/> (UAX #29), cut before any separator inside it.
    /// Two ASCII characters in a row are always two clusters (CRLF is one, but only ever read as separators).
    /// </summary>
    private static int ClusterLength(string s, int i)
    {
        if (s[i] < 0x80 && (i + 1 == s.Length || s[i + 1] < 0x80)) return 1;
        int len = StringInfo.GetNextTextElementLength(s.AsSpan(i));
        int j = i + (char.IsSurrogatePair(s, i) ? 2 : 1);
        while (j < i + len)
        {
            if (SpaceWidth(s, j) > 0) return j - i;
            j += char.IsSurrogatePair(s, j) ? 2 : 1;
        }
        return len;
    }

    private static Kind KindAt(string s, int i)
    {
        char c = s[i];
        if (c < 0x80) return char.IsAsciiLetter(c) ? Kind.Letter : char.IsAsciiDigit(c) ? Kind.Digit : Kind.Other;
        if (Rune.DecodeFromUtf16(s.AsSpan(i), out Rune r, out _) != System.Buffers.OperationStatus.Done) return Kind.Other;
        switch (Rune.GetUnicodeCategory(r))
        {
            case UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter:
                int v = r.Value;
                if (v is (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF) or (>= 0xF900 and <= 0xFAFF) or (>= 0x20000 and <= 0x3FFFF))
                    return Kind.Han;
                if (v is >= 0x3040 and <= 0x309F) return Kind.Hiragana;
                if (v is (>= 0x30A0 and <= 0x30FF) or (>= 0x31F0 and <= 0x31FF) or (>= 0xFF66 and <= 0xFF9F)) return Kind.Katakana;
                return Kind.Letter;
            case UnicodeCategory.DecimalDigitNumber:
                return Kind.Digit;
            case UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark:
                return Kind.Mark;
            default:
                return Kind.Other;
        }
    }
}
