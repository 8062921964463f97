using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Nerve.Tests.Cli.BadInput;

/// <summary>
/// Files the bad-input cases share: a small corpus, a model trained on it, vectors, and special files (a device node
/// with /dev/null's numbers and a FIFO) created inside the fixture's own temporary directory, never in /dev.
/// </summary>
public sealed class BadInputFixture : IDisposable
{
    private readonly TempDir _dir = new();

    public BadInputFixture()
    {
        Train = File("train.txt");
        Synthetic.Write(Train, Synthetic.Corpus(40, 1));
        Dev = File("dev.txt");
        Synthetic.Write(Dev, Synthetic.Corpus(10, 2));
        Model = File("model.nerve");
        Synthetic.NewModel(Synthetic.Corpus(40, 1), 1).Save(Model);
        Vectors = _dir.Write("vectors.txt", "2 3\nthe 0.1 0.2 0.3\nof 0.4 0.5 0.6\n");
        Device = File("dev-null");
        Fifo = File("fifo");
        Shell($"mknod '{Device}' c 1 3 && mkfifo '{Fifo}'");
    }

    public string Train { get; }
    public string Dev { get; }
    public string Model { get; }
    public string Vectors { get; }
    /// <summary>A character device node (1, 3), made here.</summary>
    public string Device { get; }
    public string Fifo { get; }
    public string Dir => _dir.Path;

    public string File(string name) => _dir.File(name);

    public string Write(string name, string text) => _dir.Write(name, text);

    public string WriteBytes(string name, byte[] bytes)
    {
        var p = File(name);
        System.IO.File.WriteAllBytes(p, bytes);
        return p;
    }

    public static string Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
        return Convert.ToBase64String(ms.ToArray());
    }

    public static void Shell(string command)
    {
        using var p = Process.Start("/bin/sh", ["-c", command]);
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary>The assertions every bad-input case makes.</summary>
internal static class BadInputAssert
{
    /// <summary>
    /// Runs nerve with <paramref name="args"/> and asserts: a non-zero exit, exactly one error line on stderr matching
    /// <paramref name="pattern"/>, no stack trace, no temporary file left in <paramref name="dir"/>, and every file in it
    /// unchanged.
    /// </summary>
    public static void Fails(string dir, string pattern, params string[] args) => FailsWithInput(dir, null, pattern, args);

    public static void FailsWithInput(string dir, string? stdin, string pattern, params string[] args)
    {
        var before = Snapshot(dir);
        var (code, _, err) = NerveProcess.Run(stdin, args);
        AssertOutcome(dir, before, code, err, pattern);
    }

    public static void AssertOutcome(string dir, Dictionary<string, string> before, int code, string err, string pattern)
    {
        Assert.NotEqual(0, code);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        var errors = err.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith("nerve: warning:", StringComparison.Ordinal) && !l.StartsWith("nerve: note:", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, "expected one error line, found:\n" + err);
        Assert.Matches(new Regex(pattern), errors[0]);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp-*"));
        Assert.Equal(before, Snapshot(dir));
    }

    /// <summary>Regular files of <paramref name="dir"/> and their SHA-256.</summary>
    public static Dictionary<string, string> Snapshot(string dir)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in Directory.GetFiles(dir))
        {
            var info = new FileInfo(f);
            if (info.Name is "dev-null" or "fifo" or "full" || info.LinkTarget is not null) continue;
            result[info.Name] = Convert.ToHexString(SHA256.HashData(System.IO.File.ReadAllBytes(f)));
        }
        return result;
    }

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
