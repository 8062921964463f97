using System.IO.Compression;
using System.Text;

namespace Nerve.Tests.Cli.BadInput;

/// <summary>The damaged and special inputs of the bad-input cases, written into a fixture's directory.</summary>
internal static class BadFiles
{
    public static void Create(BadInputFixture f)
    {
        f.Write("empty.txt", "");
        f.Write("blank.txt", "\n\n   \n\n");
        f.Write("tag-b.txt", "Alice NN I-PER\nmet NN B-\n");
        f.Write("tag-x.txt", "Alice NN X-FOO\n");
        f.Write("iob2-o.txt", "Alice NN B-PER\nmet NN O\nRome NN I-LOC\n\nBob NN B-PER\n\nOslo NN B-LOC\n");
        f.Write("iob2-type.txt", "Alice NN B-PER\nmet NN O\nBob NN B-PER\nRome NN I-LOC\n\nParis NN B-LOC\nin NN O\n");
        f.WriteBytes("badutf8.txt", [.. "John B-PER\n"u8, .. "Sm"u8, 0xFF, .. "ith I-PER\n"u8]);
        f.Write("nan.vec", "2 3\nthe 0.1 0.2 0.3\nof NaN 0.5 0.6\n");
        f.Write("overflow.vec", "the 0.1 1e400 0.3\n");
        f.Write("inf.vec", "the 0.1 0.2 -Infinity\n");
        f.WriteBytes("badword.vec", [.. "th"u8, 0xC3, .. "e 0.1 0.2 0.3\n"u8]);
        f.Write("header.vec", "2 2000000000\nthe 1\nof 2\n");
        var text = new StringBuilder();
        for (int i = 0; i < 400; i++) text.Append('w').Append(i).Append(" 0.1 0.2 0.3\n");
        var plain = Encoding.ASCII.GetBytes(text.ToString());
        f.WriteBytes("cut-flush.vec.gz", CutAtFlush(plain));
        var whole = Gzip(plain);
        f.WriteBytes("cut-mid.vec.gz", whole[..(whole.Length / 2)]);
        f.WriteBytes("cut-trailer.vec.gz", whole[..^3]);
        f.WriteBytes("tiny.vec.gz", whole[..12]);
        var second = Gzip(plain);
        f.WriteBytes("cut-member2.vec.gz", [.. whole, .. second[..(second.Length / 2)]]); // two members, the second cut (cat a.gz b.gz, interrupted)
        var model = File.ReadAllBytes(f.Model);
        var flipped = (byte[])model.Clone();
        flipped[^5] ^= 0x10;
        f.WriteBytes("flip-tensor.nerve", flipped);
        f.WriteBytes("flip-label.nerve", SwapCase(model, "\"nerve.config\":\"", 40));
        f.WriteBytes("flip-word.nerve", SwapCase(model, "\"nerve.vocabulary\":\"", 0));
        f.WriteBytes("newer.nerve", Swap(model, "\"nerve.version\":\"3\"", "\"nerve.version\":\"9\""));
        f.WriteBytes("nosum.nerve", Swap(model, "\"nerve.sha256\"", "\"nerve.sha25x\""));
        f.Write("text.nerve", "this is not a model\n");
        f.Write("resume.nerve.ckpt", "not a checkpoint either\n");
        Directory.CreateDirectory(f.File("folder"));
    }

    public static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(data);
        return ms.ToArray();
    }

    /// <summary>A gzip stream of the first half of <paramref name="data"/>, flushed (a complete deflate block) and cut there.</summary>
    private static byte[] CutAtFlush(byte[] data)
    {
        using var ms = new MemoryStream();
        var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true);
        gz.Write(data.AsSpan(0, data.Length / 2));
        gz.Flush();
        var cut = ms.ToArray();
        gz.Dispose();
        return cut;
    }

    /// <summary>Swaps the case of the first ASCII letter at least <paramref name="after"/> bytes past <paramref name="marker"/>: one flipped bit that keeps the JSON valid.</summary>
    private static byte[] SwapCase(byte[] bytes, string marker, int after)
    {
        int i = bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(marker));
        Assert.True(i >= 0, marker);
        var copy = (byte[])bytes.Clone();
        int j = i + marker.Length + after;
        while (!char.IsAsciiLetter((char)copy[j])) j++;
        copy[j] ^= 0x20;
        return copy;
    }

    private static byte[] Swap(byte[] bytes, string from, string to)
    {
        int i = bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(from));
        Assert.True(i >= 0, from);
        var copy = (byte[])bytes.Clone();
        Encoding.UTF8.GetBytes(to).CopyTo(copy, i);
        return copy;
    }
}
