using System.Diagnostics;
using Nerve.Model;
using Nerve.Training;

namespace Nerve.Tests.Cli.BadInput;

/// <summary>
/// Standard input is judged as a file is (invalid UTF-8 is an error at its line and byte offset, except that `tag` on
/// columns copies its bytes); "/dev/stdout" is standard output written directly; a symlink output writes its target and
/// stays a link; a checkpoint with one flipped byte is refused (issue 17).
/// </summary>
[Trait("Category", "Acceptance")]
public sealed class StdinAndTargetTests(BadInputFixture fixture) : IClassFixture<BadInputFixture>
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "Nerve.Cli.dll");

    private static byte[] BadUtf8 => [.. "John B-PER\n"u8, .. "Sm"u8, 0xFF, .. "ith I-PER\n"u8];

    /// <summary>Runs nerve with <paramref name="args"/> and standard input from <paramref name="input"/>, through the shell; stdout as bytes.</summary>
    private static (int Code, byte[] Out, string Err) RunFrom(string input, params string[] args)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec dotnet \"$0\" \"$@\" < \"$NERVE_STDIN\"");
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NERVE_STDIN"] = input;
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        using var stdout = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(stdout);
        Assert.True(p.WaitForExit(120_000), "nerve did not finish");
        return (p.ExitCode, stdout.ToArray(), err.Result);
    }

    [Theory]
    [InlineData("eval", "--data")]
    [InlineData("tag --text", "--input")]
    [InlineData("tag --input-format text", "--input")]
    public void Invalid_utf8_on_stdin_is_an_error_at_its_line_and_offset(string command, string option)
    {
        var input = fixture.WriteBytes("stdin-bad.txt", BadUtf8);
        var before = BadInputAssert.Snapshot(fixture.Dir);
        var (code, _, err) = RunFrom(input, [.. command.Split(' '), "--model", fixture.Model, option, "-"]);
        BadInputAssert.AssertOutcome(fixture.Dir, before, code, err, @"^nerve: <stdin>:2: expected UTF-8 text, found invalid UTF-8 at byte offset 13$");
    }

    [Fact]
    public void Tag_on_columns_from_stdin_copies_invalid_bytes_as_from_a_file()
    {
        var input = fixture.WriteBytes("stdin-copy.txt", [.. "Sm"u8, 0xFF, .. "ith NN\nmet NN\n"u8, 0xE2, 0x82, .. "x NN\n"u8]);
        var fromFile = fixture.File("from-file.txt");
        var (code, _, err) = NerveProcess.Run(null, "tag", "--model", fixture.Model, "--input", input, "--output", fromFile);
        Assert.True(code == 0, err);
        var (stdinCode, fromStdin, stdinErr) = RunFrom(input, "tag", "--model", fixture.Model, "--input", "-");
        Assert.True(stdinCode == 0, stdinErr);
        Assert.Equal(File.ReadAllBytes(fromFile), fromStdin);
        Assert.Equal([.. "Sm"u8, 0xFF, .. "ith NN "u8], fromStdin[..10]);
    }

    [Fact]
    public void Tag_output_to_dev_stdout_is_standard_output()
    {
        var (code, plain, err) = RunFrom(fixture.Dev, "tag", "--model", fixture.Model, "--input", fixture.Dev);
        Assert.True(code == 0, err);
        var (devCode, viaDev, devErr) = RunFrom(fixture.Dev, "tag", "--model", fixture.Model, "--input", fixture.Dev, "--output", "/dev/stdout");
        Assert.True(devCode == 0, devErr);
        Assert.NotEmpty(plain);
        Assert.Equal(plain, viaDev);
        Assert.Empty(Directory.GetFiles(fixture.Dir, "*.tmp-*"));
    }

    [Fact]
    public void Train_model_to_dev_stdout_is_refused_before_any_work()
        => BadInputAssert.Fails(fixture.Dir, @"^nerve: /dev/stdout: --model must be a file \(its checkpoint is written beside it\)$",
            "train", "--train", fixture.Train, "--model", "/dev/stdout", "--epochs", "1", "--hidden", "4", "--dim", "4");

    [Fact]
    public void Tag_output_through_a_symlink_writes_the_target_and_keeps_the_link()
    {
        using var dir = new TempDir();
        var target = dir.Write("target.txt", "old\n");
        var link = dir.File("link.txt");
        File.CreateSymbolicLink(link, target);
        var (code, _, err) = NerveProcess.Run(null, "tag", "--model", fixture.Model, "--input", fixture.Dev, "--output", link);
        Assert.True(code == 0, err);
        Assert.Equal(target, new FileInfo(link).LinkTarget);
        var (_, expected, _) = RunFrom(fixture.Dev, "tag", "--model", fixture.Model, "--input", fixture.Dev);
        Assert.Equal(expected, File.ReadAllBytes(target));
        Assert.Equal(["link.txt", "target.txt"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Train_model_through_a_symlink_writes_the_target_and_keeps_the_link()
    {
        using var dir = new TempDir();
        var target = dir.Write("target.nerve", "old\n");
        var link = dir.File("link.nerve");
        File.CreateSymbolicLink(link, target);
        var (code, _, err) = NerveProcess.Run(null, "train", "--train", fixture.Train, "--model", link, "--epochs", "1", "--hidden", "4", "--dim", "4", "--threads", "1");
        Assert.True(code == 0, err);
        Assert.Equal(target, new FileInfo(link).LinkTarget);
        Assert.Equal([4], NerModel.Load(target).Config.Hidden);
        Assert.Equal(["link.nerve", "target.nerve"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_checkpoint_with_one_flipped_byte_is_refused_with_resume()
    {
        var corpus = Synthetic.Corpus(12, 3);
        var ckpt = fixture.File("flipck.nerve.ckpt");
        var trainer = new Trainer(Synthetic.NewModel(corpus, 1, hidden: 4, dim: 4), corpus, null, new TrainOptions { Epochs = 1, Seed = 4 }, (_, _, _) => 0);
        using (var cancelled = new CancellationTokenSource())
        {
            cancelled.Cancel();
            trainer.Train(checkpoint: ckpt, cancel: cancelled.Token); // saves the state at the first step and returns
        }
        string[] args = ["train", "--train", fixture.Train, "--model", fixture.File("flipck.nerve"), "--resume", "--epochs", "1", "--hidden", "4", "--dim", "4"];
        // Intact, the checkpoint passes its digest and is refused only for its other options.
        BadInputAssert.Fails(fixture.Dir, @"^nerve: .*flipck.nerve.ckpt: the checkpoint was made with other training options", args);
        var bytes = File.ReadAllBytes(ckpt);
        bytes[^5] ^= 0x10;
        File.WriteAllBytes(ckpt, bytes);
        BadInputAssert.Fails(fixture.Dir, @"^nerve: .*flipck.nerve.ckpt: expected content matching its SHA-256, found a different or missing digest: the checkpoint is corrupt; delete it to start over$", args);
    }

    [Fact]
    public void Calibrate_checks_its_output_before_any_work()
    {
        Directory.CreateDirectory(fixture.File("cal-folder"));
        BadInputAssert.Fails(fixture.Dir, @"^nerve: .*/cal-folder: cannot write --output to a directory; expected a regular file or a new path$",
            "calibrate", "--model", fixture.Model, "--data", fixture.Dev, "--output", fixture.File("cal-folder"));
        BadInputAssert.Fails(fixture.Dir, @"^nerve: .*/model.nerve: --output is also the --model input; refusing to overwrite an input$",
            "calibrate", "--model", fixture.Model, "--data", fixture.Dev, "--output", fixture.Model);
    }

    [Fact]
    public void Calibrate_accepts_no_verify()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(fixture.Model);
        bytes[^5] ^= 0x10;
        var flipped = dir.File("flipped.nerve");
        File.WriteAllBytes(flipped, bytes);
        string[] args = ["calibrate", "--model", flipped, "--data", fixture.Dev, "--output", dir.File("out.nerve")];
        var (code, _, err) = NerveProcess.Run(null, args);
        Assert.NotEqual(0, code);
        Assert.Contains("expected content matching its SHA-256", err, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("out.nerve")));
        (code, _, err) = NerveProcess.Run(null, [.. args, "--no-verify"]);
        Assert.True(code == 0, err);
        Assert.True(File.Exists(dir.File("out.nerve")));
    }
}
