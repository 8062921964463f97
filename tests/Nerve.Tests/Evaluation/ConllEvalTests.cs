using System.Text;
using Nerve.Evaluation;

namespace Nerve.Tests.Evaluation;

public class ConllEvalTests
{
    private static string Fixture(string name) => Fixtures.Path("conlleval", name);

    private static (int Code, string Output, string Error) RunText(string input, params string[] args)
    {
        using var reader = new StringReader(input);
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = ConllEval.Execute(args, reader, output, error);
        return (code, output.ToString(), error.ToString());
    }

    // The README table of tests/fixtures/conlleval: input, options, expected output.
    [Theory]
    [InlineData("dev-iob1.txt", "", "dev-iob1.txt.expected")]
    [InlineData("dev-iob2.txt", "", "dev-iob2.txt.expected")]
    [InlineData("dev-pa4-io.tsv", "-r -d \\t", "dev-pa4-io.tsv.r.expected")]
    [InlineData("dev-pa4-io.tsv", "-d \\t", "dev-pa4-io.tsv.expected")]
    [InlineData("synthetic-iob.txt", "", "synthetic-iob.txt.expected")]
    [InlineData("synthetic-iob.txt", "-r", "synthetic-iob.txt.r.expected")]
    [InlineData("synthetic-iob.txt", "-o OUT", "synthetic-iob.txt.oOUT.expected")]
    [InlineData("synthetic-bioes.txt", "", "synthetic-bioes.txt.expected")]
    [InlineData("synthetic-boundary.txt", "", "synthetic-boundary.txt.expected")]
    [InlineData("empty.txt", "", "empty.txt.expected")]
    [InlineData("only-outside.txt", "", "only-outside.txt.expected")]
    public void Run_matches_the_reference_script_byte_for_byte(string input, string args, string expected)
    {
        var options = ConllEval.ParseArguments(args.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        using var reader = new StreamReader(Fixture(input), new UTF8Encoding(false));
        using var output = new StringWriter();
        using var error = new StringWriter();

        int code = ConllEval.Run(reader, output, error, options);

        Assert.Equal(0, code);
        Assert.Equal("", error.ToString());
        Assert.Equal(File.ReadAllBytes(Fixture(expected)), Encoding.UTF8.GetBytes(output.ToString()));
    }

    [Fact]
    public void Evaluate_in_memory_agrees_with_Run_on_the_dev_fixture()
    {
        var sentences = new List<(IReadOnlyList<string> Gold, IReadOnlyList<string> Predicted)>();
        var gold = new List<string>();
        var predicted = new List<string>();
        foreach (var line in File.ReadLines(Fixture("dev-iob1.txt")))
        {
            if (line.Length == 0)
            {
                sentences.Add((gold.ToArray(), predicted.ToArray()));
                gold.Clear();
                predicted.Clear();
                continue;
            }
            var f = line.Split(' ');
            gold.Add(f[^2]);
            predicted.Add(f[^1]);
        }
        if (gold.Count > 0)
            sentences.Add((gold.ToArray(), predicted.ToArray()));

        var result = ConllEval.Evaluate(sentences);

        Assert.Equal(File.ReadAllText(Fixture("dev-iob1.txt.expected")), result.Format());
        Assert.Equal(51578, result.Tokens);
        Assert.Equal(5942, result.GoldPhrases);
        Assert.Equal(6601, result.FoundPhrases);
        Assert.Equal(5008, result.CorrectPhrases);
        Assert.Equal(100.0 * 5008 / 6601, result.Precision);
        Assert.Equal(["LOC", "MISC", "ORG", "PER"], result.Types.Select(t => t.Type));
        Assert.Equal(result.FoundPhrases, result.Types.Sum(t => t.Found));
        Assert.Equal(result.GoldPhrases, result.Types.Sum(t => t.Gold));
        Assert.Equal(result.CorrectPhrases, result.Types.Sum(t => t.Correct));
    }

    [Fact]
    public void Evaluate_counts_chunks_and_tags()
    {
        string[] gold = ["B-PER", "I-PER", "O", "B-LOC", "B-LOC"];
        string[] predicted = ["B-PER", "I-PER", "O", "B-LOC", "I-LOC"];

        var r = ConllEval.Evaluate([(gold, predicted)]);

        Assert.Equal(5, r.Tokens);
        Assert.Equal(3, r.GoldPhrases);
        Assert.Equal(2, r.FoundPhrases);
        Assert.Equal(1, r.CorrectPhrases);
        Assert.Equal(4, r.CorrectTags);
        Assert.Equal(80.0, r.Accuracy);
        Assert.Equal(50.0, r.Precision);
        var loc = r.Types[0];
        Assert.Equal(("LOC", 1L, 2L, 0L), (loc.Type, loc.Found, loc.Gold, loc.Correct));
        var per = r.Types[1];
        Assert.Equal(("PER", 1L, 1L, 1L), (per.Type, per.Found, per.Gold, per.Correct));
    }

    [Fact]
    public void A_sentence_boundary_separates_chunks_of_the_same_type()
    {
        // Written without a boundary the two I-PER tokens would be one chunk.
        var r = ConllEval.Evaluate([(["I-PER"], ["I-PER"]), (["I-PER"], ["I-PER"])]);

        Assert.Equal(2, r.GoldPhrases);
        Assert.Equal(2, r.CorrectPhrases);
    }

    [Fact]
    public void A_boundary_line_is_outside_whatever_its_tags_say()
    {
        var (code, output, _) = RunText("a B-PER B-PER\n-X- B-PER B-PER\nb I-PER I-PER");

        Assert.Equal(0, code);
        Assert.StartsWith("processed 2 tokens with 2 phrases; found: 2 phrases; correct: 2.\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_streaming_evaluator_closes_an_open_chunk_only_in_the_result()
    {
        var e = new ConllEvaluator();
        e.Add("B-PER", "B-PER");
        Assert.Equal(1, e.Result().CorrectPhrases);

        e.Add("I-PER", "O");
        var r = e.Result();
        Assert.Equal(0, r.CorrectPhrases);
        Assert.Equal(1, r.CorrectTags);
        Assert.Equal(2, r.Tokens);
        e.AddBoundary();
        Assert.Equal(2, e.Result().Tokens);
    }

    [Fact]
    public void Evaluate_rejects_sentences_of_unequal_length()
    {
        Assert.Throws<ArgumentException>(() => ConllEval.Evaluate([(["O", "O"], ["O"])]));
    }

    [Fact]
    public void An_inconsistent_feature_count_stops_with_exit_code_1()
    {
        var (code, output, error) = RunText("a B-PER B-PER\nb O\n");

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal("conlleval: line 2: unexpected number of features: 2 (3)\n", error);
    }

    [Fact]
    public void A_single_feature_is_an_error()
    {
        var (code, output, error) = RunText("a\n");

        Assert.NotEqual(0, code);
        Assert.Equal("", output);
        Assert.Equal("conlleval: line 1: unexpected number of features in \"a\"\n", error);
    }

    [Theory]
    [InlineData("-x", "conlleval: unknown argument -x\n")]
    [InlineData("-l", "conlleval: -l (LaTeX output) is not supported\n")]
    [InlineData("-d", "conlleval: -d requires delimiter character\n")]
    [InlineData("-o", "conlleval: -o requires outside tag\n")]
    [InlineData("file.txt", "conlleval: unexpected command line argument file.txt\n")]
    public void Bad_arguments_are_reported_on_stderr(string args, string message)
    {
        var (code, output, error) = RunText("a O O\n", args.Split(' '));

        Assert.NotEqual(0, code);
        Assert.Equal("", output);
        Assert.Equal(message, error);
        Assert.Throws<NerveException>(() => ConllEval.ParseArguments(args.Split(' ')));
    }

    [Fact]
    public void ParseArguments_reads_all_options()
    {
        var o = ConllEval.ParseArguments(["-r", "-d", "\\t", "-o", "OUT"]);

        Assert.Equal(new ConllEvalOptions { Raw = true, Delimiter = "\\t", OTag = "OUT" }, o);
        Assert.Equal(new ConllEvalOptions(), ConllEval.ParseArguments([]));
    }

    [Fact]
    public void Fields_split_on_every_single_space_and_trailing_empty_fields_are_dropped()
    {
        // "a  B-PER B-PER" has four fields ("a", "", tag, tag), so the next three-field line is inconsistent.
        Assert.Equal("conlleval: line 2: unexpected number of features: 3 (4)\n", RunText("a  B-PER B-PER\nb O O\n").Error);
        // Trailing spaces add nothing; a line of spaces is a sentence boundary.
        var (code, output, _) = RunText("a B-PER B-PER  \n   \nb B-PER B-PER\n");
        Assert.Equal(0, code);
        Assert.StartsWith("processed 2 tokens with 2 phrases; found: 2 phrases; correct: 2.\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_carriage_return_stays_in_the_last_field()
    {
        var (_, output, _) = RunText("a B-PER B-PER\r\n");

        Assert.StartsWith("processed 1 tokens with 1 phrases; found: 1 phrases; correct: 0.\n", output, StringComparison.Ordinal);
        Assert.Contains("PER: precision:   0.00%; recall:   0.00%; FB1:   0.00  0\n", output, StringComparison.Ordinal);
        Assert.Contains("PER\r: precision:   0.00%; recall:   0.00%; FB1:   0.00  1\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_delimiter_is_a_regular_expression()
    {
        var (code, output, _) = RunText("a\t\tB-PER,B-PER\n", "-d", "[\\t,]+");

        Assert.Equal(0, code);
        Assert.StartsWith("processed 1 tokens with 1 phrases; found: 1 phrases; correct: 1.\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_empty_type_is_printed_twice_like_the_script_does()
    {
        // Bare B tags have the empty type; it occurs in gold and guesses, and the script's
        // de-duplication does not recognise "" as a previous type.
        var r = ConllEval.Evaluate([(["B", "B-X"], ["B", "B-X"])]);
        const string row = "                 : precision: 100.00%; recall: 100.00%; FB1: 100.00  1\n";

        Assert.Equal(2, r.Types.Count);
        Assert.EndsWith(row + row + "                X: precision: 100.00%; recall: 100.00%; FB1: 100.00  1\n", r.Format(), StringComparison.Ordinal);
    }

    [Fact]
    public void Raw_mode_makes_every_tag_a_chunk_and_maps_the_outside_tag()
    {
        var r = ConllEval.Evaluate([(["PER", "PER", "OUT"], ["PER", "LOC", "OUT"])], raw: true, oTag: "OUT");

        Assert.Equal(2, r.GoldPhrases);
        Assert.Equal(2, r.FoundPhrases);
        Assert.Equal(1, r.CorrectPhrases);
        Assert.Equal(["LOC", "PER"], r.Types.Select(t => t.Type));
    }

    [Fact]
    public void Types_are_sorted_in_byte_order()
    {
        var r = ConllEval.Evaluate([(["B-b", "B-B", "B-\u00e9", "B-Z"], ["O", "O", "O", "O"])]);

        Assert.Equal(["B", "Z", "b", "\u00e9"], r.Types.Select(t => t.Type));
    }

    [Theory]
    [InlineData(0.125, 2, 0, "0.12")]
    [InlineData(0.375, 2, 0, "0.38")]
    [InlineData(2.675, 2, 0, "2.67")]
    [InlineData(1.005, 2, 0, "1.00")]
    [InlineData(0.5, 0, 0, "0")]
    [InlineData(1.5, 0, 0, "2")]
    [InlineData(2.5, 0, 0, "2")]
    [InlineData(100.0, 2, 6, "100.00")]
    [InlineData(7.5, 2, 6, "  7.50")]
    [InlineData(0.0, 2, 6, "  0.00")]
    [InlineData(99.995, 2, 6, "100.00")]
    [InlineData(-0.001, 2, 0, "-0.00")]
    [InlineData(-1.25, 1, 6, "  -1.2")]
    [InlineData(1e20, 2, 0, "100000000000000000000.00")]
    [InlineData(5e-324, 2, 0, "0.00")]
    [InlineData(123.456, 2, 3, "123.46")]
    public void CFormat_rounds_the_exact_binary_value_half_to_even(double value, int precision, int width, string expected)
    {
        Assert.Equal(expected, CFormat.Fixed(value, precision, width));
    }
}
