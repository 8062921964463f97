using System.Diagnostics;
using Nerve.Corpus;

namespace Nerve.Tests.Cli;

/// <summary>End to end: the built `nerve` program run as a user runs it.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nerve-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void NoStackTrace(string err) => Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);

    [Theory]
    [InlineData("dev-iob1.txt", "dev-iob1.txt.expected")]
    [InlineData("synthetic-iob.txt", "synthetic-iob.txt.r.expected", "-r")]
    [InlineData("dev-pa4-io.tsv", "dev-pa4-io.tsv.r.expected", "-r", "-d", "\\t")]
    [InlineData("synthetic-iob.txt", "synthetic-iob.txt.oOUT.expected", "-o", "OUT")]
    [InlineData("empty.txt", "empty.txt.expected")]
    public void Conlleval_command_prints_the_reference_bytes(string input, string expected, params string[] options)
    {
        var (code, output, _) = NerveProcess.Run(File.ReadAllText(Fixtures.Path("conlleval", input)), ["conlleval", .. options]);
        Assert.Equal(0, code);
        Assert.Equal(File.ReadAllText(Fixtures.Path("conlleval", expected)), output);
    }

    [Fact]
    public void Gradcheck_passes_and_prints_every_block()
    {
        var (code, output, _) = NerveProcess.Run(null, "gradcheck", "--layers", "2", "--output", "sigmoid", "--activation", "hardtanh", "--l2", "0.01");
        Assert.Equal(0, code);
        foreach (var block in new[] { "L ", "W1 ", "b1 ", "W2 ", "b2 ", "U ", "b3 " })
            Assert.Contains("\n" + block, output, StringComparison.Ordinal);
        Assert.Contains("PASS", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Gradcheck_both_engines_agree_and_graph_prints_dot()
    {
        var (code, output, _) = NerveProcess.Run(null, "gradcheck", "--engine", "both", "--layers", "3", "--tables", "1", "--l2", "0.1");
        Assert.Equal(0, code);
        Assert.Contains("graph (computation graph):", output, StringComparison.Ordinal);
        Assert.Contains("max |manual − graph|", output, StringComparison.Ordinal);
        (code, output, _) = NerveProcess.Run(null, "graph", "--dot", "--backward", "--output", "sigmoid");
        Assert.Equal(0, code);
        Assert.StartsWith("digraph", output, StringComparison.Ordinal);
        foreach (var name in new[] { "L", "W", "b1", "U", "b2", "J" })
            Assert.Contains($"label=\"{name}\\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Training_through_the_graph_engine_matches_the_manual_engine()
    {
        string train = Path.Combine(_dir, "train.txt"), dev = Path.Combine(_dir, "dev.txt");
        Synthetic.Write(train, Synthetic.Corpus(150, 1));
        Synthetic.Write(dev, Synthetic.Corpus(40, 2));
        string[] common = ["train", "--train", train, "--dev", dev, "--epochs", "1", "--hidden", "8", "--dim", "6", "--min-count", "1", "--threads", "1", "--lr", "0.01"];
        var manual = NerveProcess.Run(null, [.. common, "--model", Path.Combine(_dir, "m.nerve")]);
        var graph = NerveProcess.Run(null, [.. common, "--model", Path.Combine(_dir, "g.nerve"), "--engine", "graph"]);
        Assert.True(manual.Code == 0 && graph.Code == 0, manual.Err + graph.Err);
        static string DevF1(string log) => log.Split("dev F1 ")[1][..5];
        Assert.Equal(DevF1(manual.Out), DevF1(graph.Out));
    }

    [Fact]
    [Trait("Category", "Acceptance")]
    public void Train_eval_and_tag_work_together()
    {
        string train = Path.Combine(_dir, "train.txt"), dev = Path.Combine(_dir, "dev.txt"), model = Path.Combine(_dir, "m.nerve");
        Synthetic.Write(train, Synthetic.Corpus(300, 1));
        Synthetic.Write(dev, Synthetic.Corpus(60, 2));
        var (code, output, err) = NerveProcess.Run(null, "train", "--train", train, "--dev", dev, "--model", model, "--epochs", "3", "--hidden", "16", "--dim", "10", "--min-count", "1");
        Assert.True(code == 0, err);
        Assert.Contains("epoch   3", output, StringComparison.Ordinal);
        Assert.True(File.Exists(model));
        Assert.False(File.Exists(model + ".ckpt"));

        (code, output, err) = NerveProcess.Run(null, "eval", "--model", model, "--data", dev);
        Assert.True(code == 0, err);
        Assert.StartsWith("processed ", output, StringComparison.Ordinal);
        Assert.Contains("gold\\predicted", output, StringComparison.Ordinal);
        double f1 = double.Parse(output.Split("FB1:")[1].Split('\n')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(f1 > 90, output);

        // spaCy's conventions beside conlleval's block: the same F1 as a fraction in metrics.json, and words/s.
        string metrics = Path.Combine(_dir, "metrics.json");
        var (jsonCode, jsonOut, jsonErr) = NerveProcess.Run(null, "eval", "--model", model, "--data", dev, "--json", metrics);
        Assert.True(jsonCode == 0, jsonErr);
        Assert.StartsWith(output.Split("\n\n")[0], jsonOut, StringComparison.Ordinal);
        Assert.Contains("NER (per type)", jsonOut, StringComparison.Ordinal);
        Assert.Contains("SPEED ", jsonOut, StringComparison.Ordinal);
        using (var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(metrics)))
            Assert.Equal(f1 / 100, doc.RootElement.GetProperty("ents_f").GetDouble(), 3);

        // Tagging keeps the input columns and appends the prediction; piped into conlleval it gives eval's score.
        (code, output, err) = NerveProcess.Run(File.ReadAllText(dev), "tag", "--model", model);
        Assert.True(code == 0, err);
        var lines = output.Split('\n');
        Assert.Equal(4, lines[0].Split(' ').Length); // word, POS, gold, predicted
        (code, var scored, _) = NerveProcess.Run(output, "conlleval");
        Assert.Equal(0, code);
        Assert.Contains(f1.ToString("F2", System.Globalization.CultureInfo.InvariantCulture), scored, StringComparison.Ordinal);

        (code, output, _) = NerveProcess.Run("Alice met Bob in Paris.", "tag", "--model", model, "--text");
        Assert.Equal(0, code);
        Assert.Equal("Alice\tI-PER", output.Split('\n')[0]);

        // The plain forward (no cached first layer) tags the same; phase timings go to stderr only.
        (code, var cached, _) = NerveProcess.Run(File.ReadAllText(dev), "tag", "--model", model);
        Assert.Equal(0, code);
        (code, var plain, err) = NerveProcess.Run(File.ReadAllText(dev), "tag", "--model", model, "--cache-mb", "0", "--stats");
        Assert.Equal(0, code);
        Assert.Equal(cached, plain);
        Assert.Contains("tokens/s", err, StringComparison.Ordinal);
        (code, _, err) = NerveProcess.Run(File.ReadAllText(dev), "tag", "--model", model, "--cache-mb", "-1");
        Assert.NotEqual(0, code);
        Assert.Contains("--cache-mb must be ≥ 0, found -1", err, StringComparison.Ordinal);

        // --output: the same bytes, written to a file; a bad line far into the input leaves no file and no stack trace.
        string tagged = Path.Combine(_dir, "tagged.txt"), bad = Path.Combine(_dir, "bad.txt");
        (code, _, err) = NerveProcess.Run(null, "tag", "--model", model, "--input", dev, "--output", tagged, "--threads", "2");
        Assert.True(code == 0, err);
        Assert.Equal(cached, File.ReadAllText(tagged));
        File.WriteAllText(bad, File.ReadAllText(dev) + "word NN\n");
        int badLine = File.ReadAllLines(bad).Length;
        File.Delete(tagged);
        (code, output, err) = NerveProcess.Run(null, "tag", "--model", model, "--input", bad, "--output", tagged);
        Assert.Equal(1, code);
        Assert.Contains($"bad.txt:{badLine}: expected 3 columns like line 1, found 2 columns: \"word NN\"", err, StringComparison.Ordinal);
        NoStackTrace(err);
        Assert.False(File.Exists(tagged));
        Assert.Empty(Directory.GetFiles(_dir, "tagged.txt.tmp-*"));
    }

    [Fact]
    [Trait("Category", "Acceptance")]
    public void Two_processes_with_the_same_seed_write_byte_identical_models()
    {
        string train = Path.Combine(_dir, "train.txt"), a = Path.Combine(_dir, "a.nerve"), b = Path.Combine(_dir, "b.nerve");
        Synthetic.Write(train, Synthetic.Corpus(150, 1));
        string[] common = ["train", "--train", train, "--epochs", "2", "--hidden", "8", "--dim", "6", "--min-count", "1", "--batch", "4", "--threads", "2", "--input-dropout", "0.1"];
        Assert.Equal(0, NerveProcess.Run(null, [.. common, "--model", a]).Code);
        Assert.Equal(0, NerveProcess.Run(null, [.. common, "--model", b]).Code);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
    }

    [Fact]
    public void A_malformed_corpus_is_one_clear_line_and_a_failure()
    {
        string train = Path.Combine(_dir, "bad.txt");
        File.WriteAllText(train, "EU NNP I-NP I-ORG\nrejects VBZ I-VP O\nGerman JJ I-MISC\n");
        var (code, output, err) = NerveProcess.Run(null, "train", "--train", train, "--model", Path.Combine(_dir, "m.nerve"));
        Assert.Equal(1, code);
        Assert.StartsWith($"nerve: {train}:3: expected 4 columns", err, StringComparison.Ordinal);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
        NoStackTrace(err);
        Assert.Equal("", output);
    }

    [Fact]
    public void A_config_file_supplies_options_and_flags_override_it()
    {
        string train = Path.Combine(_dir, "train.txt"), model = Path.Combine(_dir, "m.nerve"), config = Path.Combine(_dir, "c.json");
        Synthetic.Write(train, Synthetic.Corpus(120, 1));
        // Relative paths resolve against the folder of the file when it is not inside a repository.
        File.WriteAllText(config, """{ "train": "train.txt", "epochs": 5, "hidden": "8", "dim": 6, "min-count": 1, "caps": true, "output": "crf" }""");
        var (code, output, err) = NerveProcess.Run(null, "train", "--config", config, "--model", model, "--epochs", "1");
        Assert.True(code == 0, err);
        Assert.Contains("epoch   1", output, StringComparison.Ordinal);
        Assert.DoesNotContain("epoch   2", output, StringComparison.Ordinal); // --epochs 1 beat the file's 5
        Assert.Contains("caps 7×5", output, StringComparison.Ordinal);
        Assert.Contains("trained as BIOES", output, StringComparison.Ordinal);

        File.WriteAllText(config, """{ "train": "train.txt", "epoch": 5 }""");
        (code, _, err) = NerveProcess.Run(null, "train", "--config", config, "--model", model);
        Assert.Equal(1, code);
        Assert.Contains("\"epoch\"", err, StringComparison.Ordinal);
        NoStackTrace(err);
    }

    [Theory]
    [InlineData("train", "--train", "/nonexistent/train.txt", "--model", "m.nerve")]
    [InlineData("eval", "--model", "/nonexistent/m.nerve", "--data", "x")]
    [InlineData("tag", "--model", "/nonexistent/m.nerve")]
    public void Missing_files_are_reported_without_a_stack_trace(params string[] args)
    {
        var (code, _, err) = NerveProcess.Run("", args);
        Assert.Equal(1, code);
        Assert.Contains("/nonexistent/", err, StringComparison.Ordinal);
        Assert.Contains("not found", err, StringComparison.Ordinal);
        NoStackTrace(err);
    }

    [Theory]
    [InlineData("train")]
    [InlineData("eval")]
    [InlineData("tag")]
    [InlineData("conlleval")]
    [InlineData("gradcheck")]
    [InlineData("demo")]
    public void Every_command_has_help(string command)
    {
        var (code, output, _) = NerveProcess.Run(null, command, "--help");
        Assert.Equal(0, code);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_option_value_fails()
    {
        var (code, _, err) = NerveProcess.Run(null, "gradcheck", "--output", "cubic");
        Assert.NotEqual(0, code);
        Assert.Contains("cubic", err, StringComparison.Ordinal);
    }
}
