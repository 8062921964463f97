using System.Diagnostics;

namespace Nerve.Tests.Cli.BadInput;

/// <summary>
/// Bad inputs and faults across the commands (issue 17): each case asserts one error line matching its pattern, a
/// non-zero exit, no stack trace, no temporary file left and every existing file unchanged. "{d}" in an argument is the
/// fixture's directory; "{train}", "{dev}", "{model}" its corpus and model.
/// </summary>
[Trait("Category", "Acceptance")]
public abstract class BadInputCases : IClassFixture<BadInputFixture>
{
    protected BadInputCases(BadInputFixture fixture)
    {
        Fixture = fixture;
        if (!File.Exists(fixture.File("empty.txt"))) BadFiles.Create(fixture);
    }

    protected BadInputFixture Fixture { get; }

    protected void Check(string pattern, string[] args)
    {
        var d = Fixture.Dir;
        string[] expanded = [.. args.Select(a => a.Replace("{d}", d, StringComparison.Ordinal)
            .Replace("{train}", Fixture.Train, StringComparison.Ordinal).Replace("{dev}", Fixture.Dev, StringComparison.Ordinal)
            .Replace("{model}", Fixture.Model, StringComparison.Ordinal))];
        BadInputAssert.Fails(d, pattern.Replace("{d}", System.Text.RegularExpressions.Regex.Escape(d), StringComparison.Ordinal), expanded);
    }

    private static readonly string[] TrainDefaults = ["--train", "{train}", "--epochs", "1", "--hidden", "4", "--dim", "4", "--threads", "1", "--min-count", "1"];

    /// <summary>`nerve train` on the small corpus; an option in <paramref name="extra"/> replaces its default.</summary>
    protected static string[] Train(params string[] extra)
    {
        var args = new List<string> { "train" };
        for (int i = 0; i < TrainDefaults.Length; i += 2)
            if (!extra.Contains(TrainDefaults[i])) args.AddRange([TrainDefaults[i], TrainDefaults[i + 1]]);
        args.AddRange(extra);
        return [.. args];
    }
}

/// <summary>Output paths: devices, FIFOs, directories, inputs, missing directories.</summary>
public sealed class BadOutputTests(BadInputFixture fixture) : BadInputCases(fixture)
{
    [Theory]
    [InlineData(@"^nerve: {d}/dev-null: cannot write --model to a character device; expected a regular file or a new path$", "--model", "{d}/dev-null")]
    [InlineData(@"^nerve: {d}/fifo: cannot write --model to a FIFO", "--model", "{d}/fifo")]
    [InlineData(@"^nerve: {d}/folder: cannot write --model to a directory", "--model", "{d}/folder")]
    [InlineData(@"^nerve: {d}/train.txt: --model is also the --train input; refusing to overwrite an input$", "--model", "{d}/train.txt")]
    [InlineData(@"^nerve: {d}/dev.txt: --model is also the --dev input", "--model", "{d}/dev.txt", "--dev", "{dev}")]
    [InlineData(@"^nerve: {d}/../[^/]+/train.txt: --model is also the --train input", "--model", "{d}/../{name}/train.txt")]
    [InlineData(@"^nerve: {d}/no/such/m.nerve: cannot write: directory {d}/no/such does not exist$", "--model", "{d}/no/such/m.nerve")]
    [InlineData(@"^nerve: -: --model must be a file", "--model", "-")]
    [InlineData(@"^nerve: {d}/fresh.nerve.ckpt: --resume needs the checkpoint of an interrupted run, found none$", "--model", "{d}/fresh.nerve", "--resume")]
    [InlineData(@"^nerve: {d}/resume.nerve.ckpt: expected an 8-byte header size|^nerve: {d}/resume.nerve.ckpt: expected a header of at most", "--model", "{d}/resume.nerve", "--resume")]
    public void Train_refuses_the_model_path(string pattern, params string[] extra)
        => Check(pattern, Train([.. extra.Select(a => a.Replace("{name}", Path.GetFileName(Fixture.Dir), StringComparison.Ordinal))]));

    [Theory]
    [InlineData(@"^nerve: {d}/dev-null: cannot write --output to a character device", "--output", "{d}/dev-null")]
    [InlineData(@"^nerve: {d}/fifo: cannot write --output to a FIFO", "--output", "{d}/fifo")]
    [InlineData(@"^nerve: {d}/folder: cannot write --output to a directory", "--output", "{d}/folder")]
    [InlineData(@"^nerve: {d}/dev.txt: --output is also the --input input", "--output", "{d}/dev.txt")]
    [InlineData(@"^nerve: {d}/model.nerve: --output is also the --model input", "--output", "{d}/model.nerve")]
    [InlineData(@"^nerve: {d}/none/out.txt: cannot write: directory {d}/none does not exist", "--output", "{d}/none/out.txt")]
    [InlineData(@"^nerve: --threads must be ≥ 1, found 0$", "--threads", "0")]
    [InlineData(@"^nerve: --cache-mb must be ≥ 0, found -1$", "--cache-mb", "-1")]
    public void Tag_refuses_the_output_or_an_option(string pattern, params string[] extra)
        => Check(pattern, ["tag", "--model", "{model}", "--input", "{dev}", .. extra]);

    [Theory]
    [InlineData(@"^nerve: {d}/dev-null: cannot write --output to a character device", "{d}/dev-null")]
    [InlineData(@"^nerve: {d}/dev.txt: --output is also the --input input", "{d}/dev.txt")]
    [InlineData(@"^nerve: {d}/folder: cannot write --output to a directory", "{d}/folder")]
    public void Embed_refuses_the_output(string pattern, string output)
        => Check(pattern, ["embed", "--input", "{dev}", "--output", output, "--epochs", "1", "--dim", "4"]);

    [Fact]
    public void A_full_stdout_is_named_as_stdout()
    {
        var full = Fixture.File("full");
        BadInputFixture.Shell($"[ -e '{full}' ] || mknod '{full}' c 1 7");
        var before = BadInputAssert.Snapshot(Fixture.Dir);
        var dll = Path.Combine(AppContext.BaseDirectory, "Nerve.Cli.dll");
        var psi = new ProcessStartInfo("/bin/sh", ["-c", $"dotnet '{dll}' tag --model '{Fixture.Model}' --input '{Fixture.Dev}' > '{full}'"]) { RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        BadInputAssert.AssertOutcome(Fixture.Dir, before, p.ExitCode, err, @"^nerve: <stdout>: cannot write: No space left on device");
    }
}

/// <summary>Inputs: special files, empty files, invalid UTF-8, bad vectors, options ignored in context, sizes.</summary>
public sealed class BadTrainInputTests(BadInputFixture fixture) : BadInputCases(fixture)
{
    [Theory]
    [InlineData(@"^nerve: {d}/folder: is a directory; expected a regular file$", "--train", "{d}/folder")]
    [InlineData(@"^nerve: {d}/fifo: is a FIFO; expected a regular file \(use - for standard input\)$", "--train", "{d}/fifo")]
    [InlineData(@"^nerve: {d}/dev-null: is a character device; expected a regular file", "--dev", "{d}/dev-null")]
    [InlineData(@"^nerve: {d}/empty.txt: expected tagged sentences, found an empty file$", "--train", "{d}/empty.txt")]
    [InlineData(@"^nerve: {d}/blank.txt: expected tagged sentences, found only blank lines$", "--train", "{d}/blank.txt")]
    [InlineData(@"^nerve: {d}/blank.txt: expected tagged sentences, found only blank lines$", "--dev", "{d}/blank.txt")]
    [InlineData(@"^nerve: {d}/badutf8.txt:2: expected UTF-8 text, found invalid UTF-8 at byte offset 13$", "--train", "{d}/badutf8.txt")]
    [InlineData(@"^nerve: {d}/nan.vec:3: expected a number, found ""NaN"" in field 1$", "--embeddings", "{d}/nan.vec")]
    [InlineData(@"^nerve: {d}/overflow.vec:1: expected a number, found ""1e400"" in field 2$", "--embeddings", "{d}/overflow.vec")]
    [InlineData(@"^nerve: {d}/inf.vec:1: expected a number, found ""-Infinity"" in field 3$", "--embeddings", "{d}/inf.vec")]
    [InlineData(@"^nerve: {d}/badword.vec:1: expected a word in UTF-8, found invalid UTF-8 at byte offset 2$", "--embeddings", "{d}/badword.vec")]
    [InlineData(@"^nerve: {d}/header.vec:1: expected at most \d+ values in all, found 2 vectors × 2000000000 dimensions$", "--embeddings", "{d}/header.vec")]
    [InlineData(@"^nerve: {d}/cut-flush.vec.gz: expected a gzip file ending with a whole member \(its CRC-32 and length\), found truncated gzip: \d+ bytes inflated$", "--embeddings", "{d}/cut-flush.vec.gz")]
    [InlineData(@"^nerve: {d}/cut-member2.vec.gz: expected .*found truncated gzip", "--embeddings", "{d}/cut-member2.vec.gz")]
    [InlineData(@"^nerve: {d}/cut-mid.vec.gz: expected .*found truncated gzip", "--embeddings", "{d}/cut-mid.vec.gz")]
    [InlineData(@"^nerve: {d}/cut-trailer.vec.gz: expected .*found truncated gzip", "--embeddings", "{d}/cut-trailer.vec.gz")]
    [InlineData(@"^nerve: {d}/tiny.vec.gz: expected a gzip file of at least 18 bytes \(header and trailer\), found truncated gzip: 12 bytes$", "--embeddings", "{d}/tiny.vec.gz")]
    [InlineData(@"^nerve: {d}/tag-b.txt:2: expected a tag O, B-TYPE, I-TYPE, E-TYPE, S-TYPE or a bare TYPE, found ""B-""$", "--train", "{d}/tag-b.txt")]
    [InlineData(@"^nerve: {d}/tag-x.txt:1: expected a tag O, B-TYPE, I-TYPE, E-TYPE, S-TYPE or a bare TYPE, found ""X-FOO""$", "--dev", "{d}/tag-x.txt")]
    [InlineData(@"^nerve: {d}/iob2-o.txt:3: expected a tag sequence valid in IOB2, found ""I-LOC"" after ""O""$", "--train", "{d}/iob2-o.txt", "--strict-scheme")]
    [InlineData(@"^nerve: {d}/iob2-type.txt:4: expected a tag sequence valid in IOB2, found ""I-LOC"" after ""B-PER""$", "--train", "{d}/iob2-type.txt", "--strict-scheme")]
    [InlineData(@"^nerve: {d}/folder: is a directory", "--embeddings", "{d}/folder")]
    [InlineData(@"^nerve: --vocab is only used with --embeddings", "--vocab", "{d}/dev.txt")]
    [InlineData(@"^nerve: --positive is only used with --output sigmoid, found --output softmax$", "--positive", "B-PER")]
    [InlineData(@"^nerve: --dim 4 disagrees with the 3-dimensional vectors of {d}/vectors.txt; leave --dim out with --embeddings$", "--embeddings", "{d}/vectors.txt")]
    public void Train_refuses_the_input(string pattern, params string[] extra)
        => Check(pattern, Train(["--model", "{d}/out.nerve", .. extra]));

    [Fact]
    public void Without_strict_scheme_violations_are_one_warning()
    {
        using var dir = new TempDir();
        var data = Fixture.File("iob2-type.txt");
        var (code, _, err) = NerveProcess.Run(null, Train("--model", dir.File("m.nerve"), "--train", data));
        Assert.True(code == 0, err);
        var warning = Assert.Single(err.Split('\n'), l => l.Contains("does not allow", StringComparison.Ordinal));
        Assert.Equal($"nerve: warning: {data}:4: IOB2 does not allow a tag where it stands in 1 of 2 sentences, the first \"I-LOC\" after \"B-PER\"; --strict-scheme makes this an error", warning);
    }

    [Theory]
    [InlineData(@"^nerve: --hidden must be ≤ 65536, found 2000000000$", "--hidden", "2000000000")]
    [InlineData(@"^nerve: --hidden must be ≤ 65536, found 70000$", "--hidden", "8,70000")]
    [InlineData(@"^nerve: --dim must be ≤ 65536, found 100000$", "--dim", "100000")]
    [InlineData(@"^nerve: --window must be odd, found 4$", "--window", "4")]
    [InlineData(@"^nerve: --window must be ≥ 1, found -1$", "--window", "-1")]
    [InlineData(@"^nerve: --feature-dims must be ≤ 65536, found 999999$", "--caps", "--feature-dims", "999999,10,4")]
    [InlineData(@"^nerve: --lr must be a finite number > 0, found Infinity$", "--lr", "1e400")]
    [InlineData(@"^nerve: --lr must be a finite number > 0, found NaN$", "--lr", "NaN")]
    [InlineData(@"^nerve: --epochs must be ≥ 1, found 0$", "--epochs", "0")]
    [InlineData(@"^nerve: --batch must be ≥ 1, found 0$", "--batch", "0")]
    [InlineData(@"^nerve: --input-dropout must be in \[0, 1\), found 1$", "--input-dropout", "1")]
    [InlineData(@"^nerve: {d}/nowhere: gazetteer directory not found$", "--gazetteers", "{d}/nowhere")]
    [InlineData(@"^nerve: training diverged at epoch 1, step \d+: non-finite .*; try a lower --lr or --clip", "--lr", "1e30")]
    public void Train_refuses_the_option(string pattern, params string[] extra)
        => Check(pattern, Train(["--model", "{d}/out.nerve", .. extra]));
}

/// <summary>Models that are damaged, newer or not models, and eval's inputs.</summary>
public sealed class BadModelTests(BadInputFixture fixture) : BadInputCases(fixture)
{
    [Theory]
    [InlineData(@"^nerve: {d}/flip-tensor.nerve: expected content matching its SHA-256, found a different digest: the file is corrupt \(--no-verify loads it anyway\)$", "flip-tensor.nerve")]
    [InlineData(@"^nerve: {d}/flip-label.nerve: expected content matching its SHA-256", "flip-label.nerve")]
    [InlineData(@"^nerve: {d}/flip-word.nerve: expected content matching its SHA-256", "flip-word.nerve")]
    [InlineData(@"^nerve: {d}/newer.nerve: model format version 9 is newer than this nerve reads \(version 3\); upgrade nerve$", "newer.nerve")]
    [InlineData(@"^nerve: {d}/nosum.nerve: expected a SHA-256 in metadata 'nerve.sha256' \(format version 3\), found none: the file is damaged$", "nosum.nerve")]
    [InlineData(@"^nerve: {d}/text.nerve: expected a header of at most \d+ bytes", "text.nerve")]
    [InlineData(@"^nerve: {d}/folder: is a directory; expected a regular file$", "folder")]
    [InlineData(@"^nerve: {d}/fifo: is a FIFO", "fifo")]
    [InlineData(@"^nerve: {d}/missing.nerve: model file not found$", "missing.nerve")]
    public void Tag_refuses_the_model(string pattern, string model)
        => Check(pattern, ["tag", "--model", "{d}/" + model, "--input", "{dev}", "--output", "{d}/tagged.txt"]);

    [Theory]
    [InlineData(@"^nerve: {d}/flip-tensor.nerve: expected content matching its SHA-256", "--model", "{d}/flip-tensor.nerve", "--data", "{dev}")]
    [InlineData(@"^nerve: {d}/empty.txt: expected tagged sentences, found an empty file$", "--model", "{model}", "--data", "{d}/empty.txt")]
    [InlineData(@"^nerve: {d}/blank.txt: expected tagged sentences, found only blank lines$", "--model", "{model}", "--data", "{d}/blank.txt")]
    [InlineData(@"^nerve: {d}/badutf8.txt:2: expected UTF-8 text, found invalid UTF-8 at byte offset 13$", "--model", "{model}", "--data", "{d}/badutf8.txt")]
    [InlineData(@"^nerve: {d}/folder: is a directory", "--model", "{model}", "--data", "{d}/folder")]
    [InlineData(@"^nerve: {d}/fifo: is a FIFO", "--model", "{model}", "--data", "{d}/fifo")]
    [InlineData(@"^nerve: --threads must be ≥ 1, found 0$", "--model", "{model}", "--data", "{dev}", "--threads", "0")]
    [InlineData(@"^nerve: {d}/tag-x.txt:1: expected a tag O, B-TYPE, I-TYPE, E-TYPE, S-TYPE or a bare TYPE, found ""X-FOO""$", "--model", "{model}", "--data", "{d}/tag-x.txt")]
    [InlineData(@"^nerve: {d}/iob2-type.txt:4: expected a tag sequence valid in IOB2, found ""I-LOC"" after ""B-PER""$", "--model", "{model}", "--data", "{d}/iob2-type.txt", "--strict-scheme")]
    public void Eval_refuses_the_input(string pattern, params string[] args) => Check(pattern, ["eval", .. args]);

    [Fact]
    public void No_verify_loads_a_model_whose_digest_does_not_match()
    {
        var (code, output, err) = NerveProcess.Run(null, "tag", "--model", Fixture.File("flip-tensor.nerve"), "--input", Fixture.Dev, "--no-verify");
        Assert.True(code == 0, err);
        Assert.NotEmpty(output);
    }
}

/// <summary>The small commands: gradcheck's options, conlleval's input.</summary>
public sealed class BadToolInputTests(BadInputFixture fixture) : BadInputCases(fixture)
{
    [Theory]
    [InlineData(@"^nerve: --layers must be ≥ 1, found 0$", "--layers", "0")]
    [InlineData(@"^nerve: --hidden must be ≥ 1, found 0$", "--hidden", "0", "--windows", "0")] // the first violated constraint only
    [InlineData(@"^nerve: --batch must be ≥ 0, found -1$", "--batch", "-1")]
    [InlineData(@"^nerve: --hidden-dropout must be in \[0, 1\), found 1$", "--hidden-dropout", "1")]
    public void Gradcheck_names_the_violated_constraint(string pattern, params string[] args) => Check(pattern, ["gradcheck", .. args]);

    [Theory]
    [InlineData(@"^conlleval: line 3: unexpected number of features: 3 \(4\)$", "a NN O O\nb NN O O\nc O O\n")]
    [InlineData(@"^conlleval: line 2: unexpected number of features in ""b""$", "\nb\n")]
    public void Conlleval_names_the_line(string pattern, string input)
        => BadInputAssert.FailsWithInput(Fixture.Dir, input, pattern, "conlleval");
}
