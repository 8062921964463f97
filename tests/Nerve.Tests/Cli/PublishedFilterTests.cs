using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Nerve.Corpus;

namespace Nerve.Tests.Cli;

/// <summary>
/// The cluster recipe of the README ("Tagging a corpus on a cluster"): the single-file build of scripts/publish.sh, run
/// as a JSONL filter over shards by separate processes, as Spark's rdd.pipe or Hadoop Streaming run it.
/// </summary>
[Trait("Category", "Acceptance")]
public sealed class PublishedFilterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nerve-publish-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Four_shards_through_four_published_processes_equal_one_process()
    {
        string exe = Publish();
        var sentences = CorpusReader.Read(SmallModel.Dev).Sentences.Where(s => s.Count > 0).Select(s => string.Join(' ', s.Words)).ToList();
        var lines = Enumerable.Range(0, 10_000)
            .Select(i => JsonSerializer.Serialize(new Dictionary<string, object> { ["id"] = i, ["text"] = sentences[i % sentences.Count] }))
            .ToList();
        string[] args = ["tag", "--model", SmallModel.Path, "--input-format", "jsonl", "--output-format", "jsonl"];

        // Contiguous shards, as a file system splits its input; each process on one thread, all four at once.
        var shards = lines.Chunk(2_500).Select(c => string.Join('\n', c) + "\n").ToList();
        var runs = shards.Select(s => Task.Run(() => Run(exe, s, [.. args, "--threads", "1"]))).ToArray();
        string sharded = string.Concat(runs.Select(t => t.Result));
        string single = Run(exe, string.Join('\n', lines) + "\n", [.. args, "--threads", "2"]);

        var outLines = single.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(10_000, outLines.Length);
        for (int i = 0; i < outLines.Length; i += 997)
        {
            using var doc = JsonDocument.Parse(outLines[i]);
            Assert.Equal(i, doc.RootElement.GetProperty("id").GetInt32());
            Assert.Equal(sentences[i % sentences.Count], doc.RootElement.GetProperty("text").GetString());
        }
        Assert.True(single.Contains("\"label\":\"PER\"", StringComparison.Ordinal), "no PER entity in 10,000 lines of dev");
        Assert.Equal(single, sharded);
    }

    /// <summary>
    /// scripts/publish.sh on a copy of the sources (so that its restore for the runtime identifier leaves the
    /// checkout's obj/ alone), into the temp folder; returns the executable.
    /// </summary>
    private string Publish()
    {
        string root = Fixtures.Root(), copy = Path.Combine(_dir, "repo");
        foreach (string f in Directory.EnumerateFiles(Path.Combine(root, "src"), "*", SearchOption.AllDirectories)
                     .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
                     .Concat(new[] { ".editorconfig", "Directory.Build.props", "Directory.Packages.props", "global.json", "scripts/publish.sh" }.Select(f => Path.Combine(root, f))))
        {
            string to = Path.Combine(copy, Path.GetRelativePath(root, f));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(f, to);
        }
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { Path.Combine(copy, "scripts", "publish.sh"), "--out", Path.Combine(_dir, "bin") }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string exe = p.StandardOutput.ReadToEnd().Trim();
        Assert.True(p.WaitForExit(900_000), "publish did not finish");
        Assert.True(p.ExitCode == 0, "scripts/publish.sh failed: " + stderr.Result);
        Assert.True(File.Exists(exe), exe);
        Assert.False(File.Exists(Path.Combine(_dir, "bin", "Nerve.dll")), "the build is not a single file");
        return exe;
    }

    /// <summary>The executable as a filter: <paramref name="stdin"/> in, stdout out; it must succeed.</summary>
    private static string Run(string exe, string stdin, string[] args)
    {
        var (code, stdout, stderr) = NerveProcess.RunProgram(exe, stdin, TimeSpan.FromMinutes(10), args);
        Assert.True(code == 0, stderr);
        return stdout;
    }
}
