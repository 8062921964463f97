using Nerve.Corpus;
using Nerve.Features;

namespace Nerve.Tests.Features;

public class DocumentContextTests
{
    /// <summary>The (doc_caps, doc_seq) ids of every token of one document.</summary>
    private static (int Caps, int Seq)[][] Ids(params string[] sentences)
    {
        var words = sentences.Select(s => (IReadOnlyList<string>)s.Split(' ')).ToList();
        var ids = words.Select(w => new int[w.Count * 3]).ToArray();
        DocumentContext.Compute(words, s => ids[s], 3, 1); // stride 3, document ids at column 1
        return [.. ids.Select(a => Enumerable.Range(0, a.Length / 3).Select(i => (a[i * 3 + 1], a[i * 3 + 2])).ToArray())];
    }

    [Fact]
    public void A_sentence_initial_word_learns_its_case_from_its_other_occurrences()
    {
        var ids = Ids("Japan began the defence .", "They beat Japan in Osaka .", "Japan 's coach said the team played well .");
        Assert.Equal(2, ids[0][0].Caps); // "Japan" is capitalised where its case is informative (sentence 2)
        Assert.Equal(2, ids[2][0].Caps);
        Assert.Equal(3, ids[0][2].Caps); // "the": lowercase elsewhere
        Assert.Equal(1, ids[1][2].Caps); // the non-initial "Japan": its own occurrence does not count, the others are initial
    }

    [Fact]
    public void Case_classes_none_upper_lower_and_mixed()
    {
        var ids = Ids("We met Apple and apple growers .", "They like Apple .", "Nobody came .");
        Assert.Equal(1, ids[2][0].Caps); // "Nobody": no other occurrence
        Assert.Equal(4, ids[0][2].Caps); // "Apple": elsewhere "apple" and "Apple" → both
        Assert.Equal(2, ids[0][4].Caps); // "apple": the others are "Apple", "Apple" → all capitalised
        Assert.Equal(1, ids[0][1].Caps); // "met" occurs once: nothing to say
    }

    [Fact]
    public void Capitalised_sequences_elsewhere_in_the_document()
    {
        var ids = Ids("Warsaw is cold .", "He flew to Warsaw Chopin airport .", "Said Warsaw .", "Visit Nowa Warsaw now .");
        // "Warsaw" in sentence 1: elsewhere it starts "Warsaw Chopin" (3) and is inside "Nowa Warsaw".
        Assert.Equal(3, ids[0][0].Seq);
        // In sentence 2 it starts the run itself; the others: none starts one, one is inside → 4.
        Assert.Equal(4, ids[1][3].Seq);
        Assert.Equal(1, ids[0][1].Seq); // "is": no other occurrence
        Assert.Equal(2, ids[0][3].Seq); // ".": others, never in a run
    }

    [Fact]
    public void Documents_are_runs_of_sentences_with_the_same_number()
    {
        Sentence S(int doc) => new(["a"], ["O"]) { Document = doc };
        var runs = DocumentContext.Documents([S(1), S(1), S(2), S(3), S(3), S(3)]).ToList();
        Assert.Equal([(0, 2), (2, 3), (3, 6)], runs);
        Assert.Empty(DocumentContext.Documents([]));
        Assert.Equal(2, S(2).WithTags(["B-X"]).Document);
    }

    [Fact]
    public void The_reader_numbers_documents_by_docstart_lines()
    {
        var text = "-DOCSTART- O\n\nJapan B-LOC\nwon O\n\n-DOCSTART- O\n\nA O\n\nB O\n";
        var corpus = CorpusReader.Read(new StringReader(text), "t.txt", CorpusFormat.Auto, null);
        Assert.Equal([1, 2, 2], corpus.Sentences.Select(s => s.Document));
    }
}
