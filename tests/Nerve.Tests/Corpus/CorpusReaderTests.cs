using Nerve.Corpus;

namespace Nerve.Tests.Corpus;

public class CorpusReaderTests
{
    private static CorpusFile ReadString(string text, CorpusFormat format = CorpusFormat.Auto, int? tagColumn = null, bool requireTags = true)
        => CorpusReader.Read(new StringReader(text), "test.txt", format, tagColumn, requireTags);

    /// <summary>Hands out at most a few characters per Read, so lines, \r\n pairs and the BOM straddle block boundaries.</summary>
    private sealed class TrickleReader(string text, int seed) : TextReader
    {
        private readonly Random _random = new(seed);
        private int _at;

        public override int Read(char[] buffer, int index, int count)
        {
            int n = Math.Min(Math.Min(count, _random.Next(1, 4)), text.Length - _at);
            text.CopyTo(_at, buffer, index, n);
            _at += n;
            return n;
        }
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    [Trait("Category", "Acceptance")]
    public void Lines_read_in_blocks_parse_as_the_whole_text_does(string eol)
    {
        var longWord = new string('w', 200_000); // longer than the reader's block: the buffer grows
        var text = "\uFEFFEU NNP I-NP I-ORG" + eol + "rejects VBZ I-VP O" + eol + eol + "-DOCSTART- -X- -X- O" + eol + eol
            + longWord + " NN I-NP O" + eol + "Peter NNP I-NP I-PER" + eol + "  " + eol + "Peter NNP I-NP I-PER";
        var whole = ReadString(text);
        for (int seed = 0; seed < 5; seed++)
        {
            var trickled = CorpusReader.Read(new TrickleReader(text, seed), "test.txt");
            Assert.Equal(whole.Tokens, trickled.Tokens);
            Assert.Equal(whole.Documents, trickled.Documents);
            Assert.Equal(whole.Sentences.Count, trickled.Sentences.Count);
            for (int i = 0; i < whole.Sentences.Count; i++)
            {
                Assert.Equal(whole.Sentences[i].Words, trickled.Sentences[i].Words);
                Assert.Equal(whole.Sentences[i].Tags, trickled.Sentences[i].Tags);
                Assert.Equal(whole.Sentences[i].FirstLine, trickled.Sentences[i].FirstLine);
            }
        }
        Assert.Equal(5, whole.Tokens);
        Assert.Equal(1, whole.Documents);
        Assert.Equal(["EU", "rejects"], whole.Sentences[0].Words); // the BOM is not part of the first word
        Assert.Equal(longWord, whole.Sentences[1].Words[0]);
        Assert.Equal(6, whole.Sentences[1].FirstLine);
        Assert.Equal(["Peter"], whole.Sentences[2].Words);
        Assert.Equal(9, whole.Sentences[2].FirstLine);
    }

    [Fact]
    public void Repeated_values_share_one_string_and_rows_keep_their_columns()
    {
        var c = ReadString("EU NNP I-NP I-ORG\nEU NNP I-NP I-ORG\n\nEU VBZ I-NP O\n");
        var first = c.Sentences[0];
        Assert.Same(first.Words[0], first.Words[1]);
        Assert.Same(first.Words[0], c.Sentences[1].Words[0]);
        Assert.Same(first.Row(0)[1], first.Row(1)[1]);
        Assert.Equal(3, first.Width);
        Assert.Equal(["EU", "VBZ", "I-NP"], c.Sentences[1].Row(0).ToArray());
        var retagged = first.WithTags(["B-ORG", "I-ORG"]);
        Assert.Equal(["EU", "NNP", "I-NP"], retagged.Row(1).ToArray());
        Assert.Equal(["B-ORG", "I-ORG"], retagged.Tags);
    }

    [Fact]
    public void Sentences_check_their_column_rows()
    {
        Assert.Throws<ArgumentException>(() => new Sentence(["a", "b"], ["O", "O"], [["a", "X"], ["b"]]));
        Assert.Throws<ArgumentException>(() => new Sentence(["a", "b"], ["O", "O"], ["a", "X", "b"], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sentence(["a"], ["O"], ["a"], 0));
        var s = new Sentence(["a", "b"], ["O", "O"], [["a", "X"], ["b", "Y"]]);
        Assert.Equal(2, s.Width);
        Assert.Equal(["b", "Y"], s.Row(1).ToArray());
        Assert.Equal(["b"], new Sentence(["a", "b"], ["O", "O"]).Row(1).ToArray());
    }

    [Fact]
    public void Pa4_form_reads_words_and_labels()
    {
        var c = ReadString("-DOCSTART-\tO\n\nEU\tORG\nrejects\tO\n\nPeter\tPER\n");
        Assert.Equal(CorpusFormat.Pa4, c.Format);
        Assert.Equal('\t', c.Delimiter);
        Assert.Equal(2, c.ColumnCount);
        Assert.Equal(1, c.Documents);
        Assert.Equal(3, c.Tokens);
        Assert.Equal(2, c.Sentences.Count);
        Assert.Equal(["EU", "rejects"], c.Sentences[0].Words);
        Assert.Equal(["ORG", "O"], c.Sentences[0].Tags);
        Assert.Equal(3, c.Sentences[0].FirstLine);
        Assert.Equal(6, c.Sentences[1].FirstLine);
        Assert.Equal(["Peter"], c.Sentences[1].Row(0).ToArray());
    }

    [Fact]
    public void Conll_form_skips_docstart_and_keeps_pos_and_chunk()
    {
        const string text = "-DOCSTART- -X- -X- O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\n-DOCSTART- -X- -X- O\n\n\nPeter NNP I-NP I-PER\n";
        var c = ReadString(text);
        Assert.Equal(CorpusFormat.Conll, c.Format);
        Assert.Equal(' ', c.Delimiter);
        Assert.Equal(4, c.TagColumn);
        Assert.Equal(2, c.Documents);
        Assert.Equal(3, c.Tokens);
        Assert.Equal(2, c.Sentences.Count);
        Assert.Equal(["EU", "NNP", "I-NP"], c.Sentences[0].Row(0).ToArray());
        Assert.Equal(["I-ORG", "O"], c.Sentences[0].Tags);
        Assert.Equal(["I-PER"], c.Sentences[1].Tags);
        Assert.Equal(8, c.Sentences[1].FirstLine);
    }

    [Fact]
    public void Docstart_ends_a_sentence_without_a_blank_line()
    {
        var c = ReadString("a\tO\n-DOCSTART-\tO\nb\tO\n");
        Assert.Equal(2, c.Sentences.Count);
        Assert.Equal(1, c.Documents);
    }

    [Fact]
    public void Whitespace_only_lines_separate_sentences()
    {
        var c = ReadString("@paul\tO\nIt\tO\n\t\nhello\tO\n   \n \t \nworld\tB-person\n");
        Assert.Equal(3, c.Sentences.Count);
        Assert.Equal(["@paul", "It"], c.Sentences[0].Words);
        Assert.Equal(["B-person"], c.Sentences[2].Tags);
    }

    [Fact]
    public void Crlf_and_bom_are_accepted()
    {
        var c = ReadString("\uFEFFEU NNP I-NP I-ORG\r\nrejects VBZ I-VP O\r\n\r\nok JJ I-NP O\r\n");
        Assert.Equal(2, c.Sentences.Count);
        Assert.Equal("EU", c.Sentences[0].Words[0]);
        Assert.Equal("O", c.Sentences[0].Tags[1]);
        Assert.Equal("ok", c.Sentences[1].Words[0]);
        var last = ReadString("a\tO\r\nb\tB-X");
        Assert.Equal(["a", "b"], last.Sentences[0].Words);
        Assert.Equal("B-X", last.Sentences[0].Tags[1]);
    }

    [Fact]
    public void Bom_in_a_file_is_accepted()
    {
        using var dir = new TempDir();
        var path = dir.File("bom.txt");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "Ünïcode\tO\r\n"u8]);
        var c = CorpusReader.Read(path);
        Assert.Equal("Ünïcode", c.Sentences[0].Words[0]);
        Assert.Equal(path, c.Path);
    }

    [Fact]
    public void Inconsistent_columns_name_file_line_and_both_counts()
    {
        var e = Assert.Throws<NerveDataException>(() => ReadString("\nEU NNP I-NP I-ORG\nrejects VBZ O\n"));
        Assert.Equal("test.txt:3: expected 4 columns like line 2, found 3 columns: \"rejects VBZ O\"", e.Message);
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void Empty_field_between_tabs_is_an_error()
    {
        var e = Assert.Throws<NerveDataException>(() => ReadString("a\tNN\tO\nb\t\tO\n"));
        Assert.Equal("test.txt:2: expected a non-empty field between tabs, found an empty field: \"b\\t\\tO\"", e.Message);
    }

    [Fact]
    public void Space_separated_columns_allow_runs_of_spaces()
    {
        var c = ReadString("a  NN   O \nb NN B-X\n");
        Assert.Equal(["O", "B-X"], c.Sentences[0].Tags);
        Assert.Equal(["a", "NN"], c.Sentences[0].Row(0).ToArray());
    }

    [Fact]
    public void Tag_column_selects_the_gold_tag_and_keeps_the_others()
    {
        var c = ReadString("EU NNP I-NP I-ORG\n", tagColumn: 3);
        Assert.Equal(["I-NP"], c.Sentences[0].Tags);
        Assert.Equal(["EU", "NNP", "I-ORG"], c.Sentences[0].Row(0).ToArray());
        Assert.Equal(3, c.TagColumn);
    }

    [Fact]
    public void Tag_column_out_of_range_is_an_error()
    {
        var e = Assert.Throws<NerveDataException>(() => ReadString("EU NNP\n", tagColumn: 5));
        Assert.StartsWith("test.txt:1: expected a tag column between 2 and 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Words_only_input_gets_O_tags_when_tags_are_not_required()
    {
        var c = ReadString("Hello\nworld\n\nBye\n", requireTags: false);
        Assert.Equal(2, c.Sentences.Count);
        Assert.Equal(["O", "O"], c.Sentences[0].Tags);
        Assert.Equal(0, c.TagColumn);
        var e = Assert.Throws<NerveDataException>(() => ReadString("Hello\nworld\n"));
        Assert.Equal("test.txt:1: expected at least 2 columns (word and tag), found 1 column: \"Hello\"", e.Message);
    }

    [Fact]
    public void Untagged_reading_of_tagged_input_keeps_the_last_column_as_gold()
    {
        var c = ReadString("EU NNP I-ORG\n", requireTags: false);
        Assert.Equal(["I-ORG"], c.Sentences[0].Tags);
        Assert.Equal(["EU", "NNP"], c.Sentences[0].Row(0).ToArray());
    }

    [Fact]
    public void Explicit_formats_check_the_column_count()
    {
        var e = Assert.Throws<NerveDataException>(() => ReadString("EU\tORG\n", CorpusFormat.Conll));
        Assert.Equal("test.txt:1: expected 4 columns (word POS chunk NER) for CoNLL-2003, found 2 columns: \"EU\\tORG\"", e.Message);
        e = Assert.Throws<NerveDataException>(() => ReadString("EU NNP I-NP I-ORG\n", CorpusFormat.Pa4));
        Assert.Equal(1, e.Line);
        Assert.Equal(CorpusFormat.Columns, ReadString("a\tb\tc\n").Format);
    }

    [Fact]
    public void Missing_file_is_a_nerve_exception()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<NerveException>(() => CorpusReader.Read(dir.File("nope.txt")));
        Assert.Contains("nope.txt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_then_read_round_trips_columns_and_tags()
    {
        var original = ReadString("EU NNP I-NP I-ORG\nrejects VBZ I-VP O\n\nPeter NNP I-NP I-PER\n");
        var predictions = original.Sentences.Select(s => s.Tags).ToList();
        using var dir = new TempDir();
        var path = dir.File("out.txt");
        CorpusWriter.Write(path, original.Sentences, predictions, original.Delimiter);
        Assert.Equal("EU NNP I-NP I-ORG\nrejects VBZ I-VP O\n\nPeter NNP I-NP I-PER\n\n", File.ReadAllText(path));
        var back = CorpusReader.Read(path);
        Assert.Equal(original.Sentences.Count, back.Sentences.Count);
        for (var i = 0; i < back.Sentences.Count; i++)
        {
            Assert.Equal(original.Sentences[i].Words, back.Sentences[i].Words);
            Assert.Equal(original.Sentences[i].Tags, back.Sentences[i].Tags);
            Assert.Equal(original.Sentences[i].Width, back.Sentences[i].Width);
            for (var t = 0; t < back.Sentences[i].Count; t++)
                Assert.Equal(original.Sentences[i].Row(t).ToArray(), back.Sentences[i].Row(t).ToArray());
        }
    }

    [Fact]
    public void Write_can_keep_the_gold_tag_before_the_prediction()
    {
        var c = ReadString("EU\tI-ORG\nsays\tO\n");
        var w = new StringWriter();
        CorpusWriter.Write(w, c.Sentences, [["B-ORG", "O"]], keepGold: true);
        Assert.Equal("EU\tI-ORG\tB-ORG\nsays\tO\tO\n\n", w.ToString());
    }

    [Fact]
    public void Conlleval_output_has_word_gold_predicted()
    {
        var c = ReadString("New York\tB-LOC\nrocks\tO\n");
        var w = new StringWriter();
        CorpusWriter.WriteConlleval(w, c.Sentences, [["B-LOC", "B-PER"]]);
        Assert.Equal("New_York B-LOC B-LOC\nrocks O B-PER\n\n", w.ToString());
        Assert.Throws<ArgumentException>(() => CorpusWriter.WriteConlleval(w, c.Sentences, [["O"]]));
        using var dir = new TempDir();
        CorpusWriter.WriteConlleval(dir.File("eval.txt"), c.Sentences, [["B-LOC", "B-PER"]]);
        Assert.Equal(w.ToString(), File.ReadAllText(dir.File("eval.txt")));
    }
}
