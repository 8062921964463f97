using System.Diagnostics;
using System.Text;

namespace Nerve.Tests.Cli;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM during `nerve tag --output OUT` (issue 17): the temporary file beside OUT is removed, and
/// OUT is either absent or what it was before. The input is an endless stdin, so the signal always lands mid-run.
/// </summary>
[Trait("Category", "Acceptance")]
public sealed class SignalTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("INT", false)]
    [InlineData("INT", true)]
    [InlineData("TERM", false)]
    [InlineData("TERM", true)]
    public async Task A_signal_during_tag_output_leaves_no_temporary_and_no_partial_output(string signal, bool previous)
    {
        var model = _dir.File("m.nerve");
        Synthetic.NewModel(Synthetic.Corpus(20, 1), 1).Save(model);
        var output = _dir.File("out.txt");
        if (previous) File.WriteAllText(output, "what was there before\n");

        Interrupts.DeliverToChildren(); // a test run started in the background would otherwise hand nerve an ignored SIGINT
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])[Path.Combine(AppContext.BaseDirectory, "Nerve.Cli.dll"), "tag", "--model", model, "--input", "-", "--output", output])
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        using var stop = new CancellationTokenSource();
        var feeder = Task.Run(() =>
        {
            var block = new StringBuilder();
            for (int s = 0; s < 500; s++) block.Append("Alice met Bob in Paris today .\n".Replace(' ', '\n')).Append('\n');
            string text = block.ToString();
            try
            {
                while (!stop.IsCancellationRequested) p.StandardInput.Write(text);
            }
            catch (IOException)
            {
                // The process has ended: the pipe is closed.
            }
        });

        // Working: the temporary file beside OUT exists. A bound detects a hang; nothing here is timed.
        var started = Stopwatch.StartNew();
        while (Directory.GetFiles(_dir.Path, "out.txt.tmp-*").Length == 0)
        {
            if (p.HasExited) Assert.Fail("nerve ended before it started writing: " + await stderr);
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(60), "no temporary output file appeared");
            await Task.Delay(10);
        }
        await Task.Delay(100); // let it write into the temporary file for a moment
        using (var kill = Process.Start("kill", ["-" + signal, p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
            Assert.Equal(0, kill.ExitCode);
        }
        using (var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            await p.WaitForExitAsync(bound.Token); // throws if nerve hangs after the signal
        stop.Cancel();
        await feeder;
        string err = await stderr;

        Assert.NotEqual(0, p.ExitCode);
        Assert.Empty(Directory.GetFiles(_dir.Path, "out.txt.tmp-*"));
        if (previous) Assert.Equal("what was there before\n", File.ReadAllText(output));
        else Assert.False(File.Exists(output), "a partial output was left");
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
    }
}
