namespace Nerve.Features;

/// <summary>
/// Non-local features (Ratinov &amp; Roth 2009, §6): what the OTHER occurrences of a token's word form (lowercased) in
/// the same document say about it. A window sees 2m + 1 words; a document often names an entity several times, and a
/// mention that is hard here (sentence-initial, all caps in a headline) is often easy elsewhere. Two ids per token,
/// each a small embedding table joining the window like the capitalisation feature (0 is padding):
/// <list type="bullet">
/// <item><c>doc_caps</c>, the case of the other occurrences at non-initial positions of their sentence: 1 none whose
/// first character is a letter, 2 all capitalised, 3 all lowercase, 4 both.</item>
/// <item><c>doc_seq</c>, capitalised sequences: a run is ≥ 2 consecutive non-initial tokens starting with an upper-case
/// letter. 1 no other occurrence, 2 others but none in a run, 3 one starts a run, 4 one is inside a run (not first)
/// and none starts one.</item>
/// </list>
/// The ids depend only on the document's words, so training, evaluation and tagging compute them alike from whole
/// documents (see <see cref="Corpus.Sentence.Document"/>).
/// </summary>
public static class DocumentContext
{
    /// <summary>The ids (n, stride) of sentence <paramref name="sentence"/> of a document.</summary>
    public delegate Span<int> SentenceIds(int sentence);

    /// <summary>Ids per token.</summary>
    public const int Count = 2;

    /// <summary>Rows of each table: padding and four classes.</summary>
    public const int Classes = 5;

    /// <summary>The tables' names, in id order.</summary>
    public static readonly string[] Names = ["doc_caps", "doc_seq"];

    private struct Tally
    {
        public int Total, Upper, Lower, RunStart, RunInside;
    }

    [ThreadStatic] private static Dictionary<string, Tally>? t_tally; // this thread's last table, reused

    /// <summary>
    /// The <see cref="Count"/> ids of every token of one document, whose sentences are <paramref name="sentences"/>
    /// (original case), written at column <paramref name="column"/> of each token's <paramref name="stride"/> ids in
    /// <paramref name="ids"/>, one span per sentence.
    /// </summary>
    public static void Compute(IReadOnlyList<IReadOnlyList<string>> sentences, SentenceIds ids, int stride, int column)
    {
        var tally = t_tally ??= new Dictionary<string, Tally>(StringComparer.Ordinal);
        tally.Clear(); // keeps its capacity: documents one after another allocate no new table
        var keys = new string[sentences.Count][];
        var own = new Tally[sentences.Count][];
        for (int s = 0; s < sentences.Count; s++)
        {
            var words = sentences[s];
            keys[s] = new string[words.Count];
            own[s] = new Tally[words.Count];
            for (int i = 0; i < words.Count; i++)
            {
                var t = new Tally { Total = 1 };
                string w = words[i];
                if (i > 0 && w.Length > 0 && char.IsLetter(w[0]))
                {
                    if (char.IsUpper(w[0])) t.Upper = 1; else t.Lower = 1;
                }
                bool inRun = Capitalised(words, i);
                if (inRun && (Capitalised(words, i - 1) || Capitalised(words, i + 1)))
                {
                    if (Capitalised(words, i - 1)) t.RunInside = 1; else t.RunStart = 1;
                }
                string key = w.ToLowerInvariant();
                keys[s][i] = key;
                own[s][i] = t;
                var sum = tally.GetValueOrDefault(key);
                sum.Total += t.Total; sum.Upper += t.Upper; sum.Lower += t.Lower; sum.RunStart += t.RunStart; sum.RunInside += t.RunInside;
                tally[key] = sum;
            }
        }
        for (int s = 0; s < sentences.Count; s++)
        {
            var row = ids(s);
            for (int i = 0; i < keys[s].Length; i++)
            {
                var all = tally[keys[s][i]];
                var me = own[s][i];
                int upper = all.Upper - me.Upper, lower = all.Lower - me.Lower, others = all.Total - me.Total;
                int starts = all.RunStart - me.RunStart, inside = all.RunInside - me.RunInside;
                row[i * stride + column] = upper > 0 ? (lower > 0 ? 4 : 2) : lower > 0 ? 3 : 1;
                row[i * stride + column + 1] = others == 0 ? 1 : starts > 0 ? 3 : inside > 0 ? 4 : 2;
            }
        }
    }

    /// <summary>Token i is at a non-initial position of its sentence and starts with an upper-case letter.</summary>
    private static bool Capitalised(IReadOnlyList<string> words, int i)
        => i > 0 && i < words.Count && words[i].Length > 0 && char.IsUpper(words[i][0]);

    /// <summary>Sentence ranges [start, end) of consecutive sentences with the same document number.</summary>
    public static IEnumerable<(int Start, int End)> Documents(IReadOnlyList<Corpus.Sentence> sentences)
    {
        int start = 0;
        for (int s = 1; s <= sentences.Count; s++)
            if (s == sentences.Count || sentences[s].Document != sentences[start].Document)
            {
                yield return (start, s);
                start = s;
            }
    }
}
