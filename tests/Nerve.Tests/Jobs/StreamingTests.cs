using System.Text;
using Nerve.Corpus;
using Nerve.Evaluation;
using Nerve.Jobs;
using Nerve.Tagging;
using Nerve.Text;

namespace Nerve.Tests.Jobs;

/// <summary>
/// `nerve eval` and `nerve tag --text` read their input as a stream (issue 16 item 5, issue 17): a document is handed
/// on before the input ends, and the scores and output equal those of one pass over the whole input.
/// </summary>
public sealed class StreamingTests
{
    /// <summary>Gives <paramref name="text"/>, then fails on the next read: whatever reads past it has not streamed.</summary>
    private sealed class EndlessReader(string text) : TextReader
    {
        private int _at;

        public override int Read(char[] buffer, int index, int count)
        {
            if (_at == text.Length) throw new InvalidOperationException("read past the first document");
            int n = Math.Min(count, text.Length - _at);
            text.CopyTo(_at, buffer, index, n);
            _at += n;
            return n;
        }

        public override int Read(Span<char> buffer)
        {
            var array = new char[buffer.Length];
            int n = Read(array, 0, array.Length);
            array.AsSpan(0, n).CopyTo(buffer);
            return n;
        }
    }

    private const string FirstDocument = "-DOCSTART- -X- O\n\nAlice NN B-PER\nmet NN O\nBob NN B-PER\n\nRome NN B-LOC\n\n";

    [Fact]
    public void The_corpus_stream_yields_a_sentence_before_the_input_ends()
    {
        var stream = new CorpusReader.CorpusStream(new EndlessReader(FirstDocument), "s");
        Assert.True(stream.Next(out var first));
        Assert.Equal(["Alice", "met", "Bob"], first.Words);
        Assert.Equal(3, first.FirstLine);
        Assert.True(stream.Next(out var second));
        Assert.Equal(["Rome"], second.Words);
        Assert.Throws<InvalidOperationException>(() => stream.Next(out _));
    }

    [Fact]
    public void Eval_hands_on_the_first_document_before_reading_the_rest()
    {
        var batches = new List<string[]>();
        var input = JobInput.FromReader(new EndlessReader(FirstDocument + "-DOCSTART- -X- O\n\nOslo NN B-LOC\n\n"), "s");
        var e = Assert.Throws<InvalidOperationException>(() => JobCorpus.Stream(input, CorpusFormat.Auto, null, repairGlued: false, strictScheme: false,
            NullJobLog.Instance, batch => batches.Add([.. batch.Select(s => string.Join(" ", s.Words))]), tokens: 1));
        Assert.Equal("read past the first document", e.Message);
        Assert.Equal([["Alice met Bob", "Rome"]], batches);
    }

    [Fact]
    public void Raw_text_blocks_are_yielded_before_the_input_ends()
    {
        var blocks = Tokenizer.Blocks(new EndlessReader("Alice met Bob.\nHe went to Rome.\n\nOslo is "), blockChars: 10).GetEnumerator();
        Assert.True(blocks.MoveNext());
        Assert.Equal("Alice met Bob.\nHe went to Rome.\n\n", blocks.Current);
        Assert.Throws<InvalidOperationException>(() => blocks.MoveNext());
    }

    [Theory]
    [InlineData(64)]
    [InlineData(200)]
    [InlineData(1 << 18)]
    public void Raw_text_blocks_give_the_sentences_of_the_whole_text(int blockChars)
    {
        var text = new StringBuilder();
        var rng = new Random(3);
        string[] pieces = ["Alice met Bob in Paris .", "Mr. Smith went to Washington.", "\"Yes,\" he said.", "U.S. officials said so", "1. Hakkinen",
            "\n", "\n", "\r\n", "\n  \n", "\r\n\r\n", "\n\t\n\n", " ", "👍🏽 ok"];
        for (int i = 0; i < 300; i++) text.Append(pieces[rng.Next(pieces.Length)]).Append(rng.Next(3) == 0 ? "\n" : " ");
        string whole = text.ToString();
        var expected = Tokenizer.Sentences(whole).Select(s => string.Join(" ", s.Select(t => t.Text))).ToList();
        var blocks = Tokenizer.Blocks(new StringReader(whole), blockChars).ToList();
        Assert.Equal(whole, string.Concat(blocks));
        var streamed = blocks.SelectMany(b => Tokenizer.Sentences(b)).Select(s => string.Join(" ", s.Select(t => t.Text))).ToList();
        Assert.Equal(expected, streamed);
    }

    [Fact]
    public void A_paragraph_longer_than_four_blocks_is_cut_at_a_line_end()
    {
        string text = string.Concat(Enumerable.Repeat("one line\n", 20));
        var blocks = Tokenizer.Blocks(new StringReader(text), blockChars: 10).ToList();
        Assert.True(blocks.Count > 1);
        Assert.All(blocks, b => Assert.EndsWith("\n", b, StringComparison.Ordinal));
        Assert.All(blocks, b => Assert.True(b.Length <= 50, b));
        Assert.Equal(text, string.Concat(blocks));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Streamed_scores_equal_one_pass_over_all_sentences(bool raw)
    {
        var model = Synthetic.NewModel(Synthetic.Corpus(40, 1), 1);
        var gold = Synthetic.Corpus(60, 4);
        var text = new StringBuilder();
        for (int s = 0; s < gold.Count; s++)
        {
            if (s % 7 == 0) text.Append("-DOCSTART- -X- O\n\n");
            foreach (var (w, t) in gold[s].Words.Zip(gold[s].Tags)) text.Append(w).Append(" NN ").Append(t).Append('\n');
            text.Append('\n');
        }
        var tally = new EvaluationTally(model, raw);
        var calibration = new CalibrationTally(model);
        int batches = 0;
        JobCorpus.Stream(JobInput.FromReader(new StringReader(text.ToString()), "g"), CorpusFormat.Auto, null, false, false, NullJobLog.Instance, batch =>
        {
            batches++;
            tally.Add(batch, threads: 2);
            calibration.Add(batch);
        }, tokens: 16);
        Assert.True(batches > 3, $"{batches} batches");

        var whole = ModelEvaluation.Run(model, gold, raw);
        var (phrases, tokens) = tally.Result();
        Assert.Equal(whole.Phrases.Format(), phrases.Format());
        Assert.Equal(whole.Tokens.Format(), tokens.Format());
        Assert.Equal(Calibration.Measure(model, gold).Format(), calibration.Table().Format());
    }

    [Fact]
    public void The_confusion_matrix_keeps_labels_in_order_when_predictions_fall_outside_them()
    {
        var model = Synthetic.NewModel(Synthetic.Corpus(40, 1), 1);
        // Gold with only O and a tag the model lacks: the model's labels still head the matrix, sorted with "O" first.
        var gold = new List<Sentence> { new(["Alice", "met"], ["B-ZZZ", "O"]), new(["Bob"], ["O"]) };
        var tally = new EvaluationTally(model, raw: false);
        tally.Add(gold[..1]);
        tally.Add(gold[1..]);
        Assert.Equal(ModelEvaluation.Run(model, gold, raw: false).Tokens.Format(), tally.Result().Tokens.Format());
    }

    [Fact]
    public void The_scheme_check_counts_every_batch_and_names_the_first_violation()
    {
        var log = new ListLog();
        var input = JobInput.FromReader(new StringReader("Alice NN B-PER\nmet NN O\n\nBob NN B-PER\nRome NN I-LOC\n\nx NN O\n\nParis NN B-LOC\n"), "g");
        JobCorpus.Stream(input, CorpusFormat.Auto, null, false, false, log, _ => { }, tokens: 1);
        Assert.Equal(["g:5: IOB2 does not allow a tag where it stands in 1 of 4 sentences, the first \"I-LOC\" after \"B-PER\"; --strict-scheme makes this an error"], log.Warnings);
        input = JobInput.FromReader(new StringReader("Alice NN B-PER\nmet NN O\n\nBob NN B-PER\nRome NN I-LOC\n\nx NN O\n\nParis NN B-LOC\n"), "g");
        var e = Assert.Throws<NerveDataException>(() => JobCorpus.Stream(input, CorpusFormat.Auto, null, false, true, log, _ => { }, tokens: 1));
        Assert.Equal("g:5: expected a tag sequence valid in IOB2, found \"I-LOC\" after \"B-PER\"", e.Message);
    }

    private sealed class ListLog : IJobLog
    {
        public List<string> Warnings { get; } = [];

        public void Info(string line) { }

        public void Note(string message) { }

        public void Warning(string message) => Warnings.Add(message);
    }
}
