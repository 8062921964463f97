using System.Buffers.Binary;
using System.Text;
using Nerve.IO;

namespace Nerve.Tests.IO;

public class SafeTensorsTests
{
    [Fact]
    public void Round_trips_tensors_and_metadata()
    {
        var words = string.Join('\n', Enumerable.Range(0, 73_000).Select(i => "wörd" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var w = new SafeTensorsWriter();
        w.AddMetadata("format", "nerve");
        w.AddMetadata("vocab", words);
        w.AddMetadata("quotes", "a \"b\" <c> \\ \t");
        float[] matrix = [1.5f, -2f, 3.25f, 0f, float.MaxValue, float.Epsilon];
        double[] bias = [Math.PI, -1e-300];
        w.Add("embeddings", matrix, 2, 3);
        w.Add("bias", bias);
        w.Add("ids", [7, -8, 9], 3, 1);
        w.Add("big", [long.MaxValue]);
        w.Add("flags", (ReadOnlySpan<byte>)[1, 0, 255]);
        w.Add("empty", ReadOnlySpan<float>.Empty, 0, 4);

        using var dir = new TempDir();
        var path = dir.File("model.nerve");
        w.Save(path);
        var f = SafeTensorsFile.Read(path);

        Assert.Equal("nerve", f.Metadata["format"]);
        Assert.Equal(words, f.Metadata["vocab"]);
        Assert.Equal("a \"b\" <c> \\ \t", f.Metadata["quotes"]);
        Assert.Equal(["bias", "big", "embeddings", "empty", "flags", "ids"], f.Names.Order(StringComparer.Ordinal));
        Assert.Equal(matrix, f.GetFloat("embeddings", out var shape));
        Assert.Equal([2L, 3L], shape);
        Assert.Equal(bias, f.GetDouble("bias", out shape));
        Assert.Equal([2L], shape);
        Assert.Equal([(float)Math.PI, 0f], f.GetFloat("bias", out _));
        Assert.Equal([1.5, -2.0, 3.25, 0.0, float.MaxValue, float.Epsilon], f.GetDouble("embeddings", out _));
        Assert.Equal([7, -8, 9], f.GetInt32("ids", out shape));
        Assert.Equal([3L, 1L], shape);
        Assert.Equal([long.MaxValue], f.GetInt64("big", out _));
        Assert.Equal(new byte[] { 1, 0, 255 }, f.GetBytes("flags", out _));
        Assert.Empty(f.GetFloat("empty", out shape));
        Assert.Equal([0L, 4L], shape);
        Assert.Equal(TensorType.I32, f.GetTensorType("ids"));
        Assert.True(f.Contains("ids"));
        Assert.False(f.Contains("nope"));
    }

    [Fact]
    public void Byte_layout_matches_the_format()
    {
        var w = new SafeTensorsWriter();
        w.Add("a", [1f, 2f]);
        var stream = new MemoryStream();
        w.Write(stream);
        var bytes = stream.ToArray();
        // 54 bytes of JSON + 2 spaces of padding = 56, so the data starts at 8 + 56 = 64.
        const string json = """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";
        byte[] expected = [56, 0, 0, 0, 0, 0, 0, 0, .. Encoding.ASCII.GetBytes(json + "  "), 0, 0, 0x80, 0x3f, 0, 0, 0, 0x40];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Writer_rejects_misuse()
    {
        var w = new SafeTensorsWriter();
        w.Add("x", [1f]);
        Assert.Throws<ArgumentException>(() => w.Add("x", [2f]));
        Assert.Throws<ArgumentException>(() => w.Add("__metadata__", [2f]));
        Assert.Throws<ArgumentException>(() => w.Add("y", [1f, 2f, 3f], 2, 2));
    }

    private static byte[] Container(string header, int dataBytes)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        return bytes;
    }

    private static string Corrupt(byte[] bytes)
    {
        using var dir = new TempDir();
        var path = dir.File("bad.nerve");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<NerveDataException>(() => SafeTensorsFile.Read(path));
        Assert.Equal(path, e.File);
        return e.Message[(path.Length + 2)..];
    }

    [Fact]
    public void Truncated_and_oversized_headers_are_reported()
    {
        Assert.Equal("expected an 8-byte header size, found a file of 5 bytes", Corrupt([1, 2, 3, 4, 5]));
        var bytes = Container("{}", 0);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1000);
        Assert.Equal("expected a header of at most 2 bytes (the rest of the file), found a header size of 1000", Corrupt(bytes));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue);
        Assert.StartsWith("expected a header of at most 2 bytes", Corrupt(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_data_is_reported()
    {
        var w = new SafeTensorsWriter();
        w.Add("a", [1f, 2f]);
        var stream = new MemoryStream();
        w.Write(stream);
        var bytes = stream.ToArray()[..^3];
        Assert.Equal("expected data_offsets of tensor \"a\" within the 5 data bytes, found [0, 8]", Corrupt(bytes));
    }

    [Fact]
    public void Bad_json_is_reported()
    {
        Assert.StartsWith("expected a JSON header, found invalid JSON: ", Corrupt(Container("{\"a\": ", 0)), StringComparison.Ordinal);
        Assert.Equal("expected a JSON object as header, found a JSON Array", Corrupt(Container("[]", 0)));
        Assert.Equal("expected a string for metadata \"k\", found a JSON Number", Corrupt(Container("""{"__metadata__":{"k":1}}""", 0)));
    }

    [Fact]
    public void Invalid_utf8_and_lone_surrogates_in_the_header_are_reported()
    {
        // Found by FuzzTests: JsonDocument accepted these and GetString threw InvalidOperationException.
        var bytes = Container("""{"__metadata__":{"k":"ab"}}""", 0);
        bytes[8 + 22] = 0xC3; // "a" becomes the lead byte of a two-byte sequence followed by "b"
        Assert.Equal("expected a UTF-8 JSON header, found invalid UTF-8 at byte offset 30", Corrupt(bytes));
        Assert.StartsWith("expected a JSON header, found invalid JSON: ", Corrupt(Container("""{"__metadata__":{"k":"\ud800"}}""", 0)), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_dtype_is_reported()
        => Assert.Equal("expected dtype F32, F64, I32, I64 or U8 for tensor \"a\", found \"BF16\"",
            Corrupt(Container("""{"a":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}}""", 2)));

    [Fact]
    public void Shape_and_size_mismatch_is_reported()
        => Assert.Equal("expected 12 bytes for tensor \"a\" of shape [3] and dtype F32, found 8 bytes",
            Corrupt(Container("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8)));

    [Fact]
    public void Overlaps_and_holes_are_reported()
    {
        Assert.Equal("expected tensor \"b\" to start at or after byte 8 where \"a\" ends, found data_offsets [4, 8] overlapping it",
            Corrupt(Container("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8)));
        Assert.Equal("expected tensor \"a\" to start at byte 0, found a hole: data_offsets [4, 8]",
            Corrupt(Container("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8)));
        Assert.Equal("expected each name once in the header, found \"a\" twice",
            Corrupt(Container("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8)));
        Assert.Equal("expected 4 data bytes after the header, found 8 bytes",
            Corrupt(Container("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 8)));
        Assert.Equal("expected data_offsets of tensor \"a\" within the 8 data bytes, found [8, 4]",
            Corrupt(Container("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}""", 8)));
    }

    [Fact]
    public void Missing_tensor_and_wrong_type_are_reported()
    {
        var w = new SafeTensorsWriter();
        w.Add("b", [1f]);
        w.Add("a", [1]);
        using var dir = new TempDir();
        var path = dir.File("m.nerve");
        w.Save(path);
        var f = SafeTensorsFile.Read(path);
        var e = Assert.Throws<NerveDataException>(() => f.GetFloat("c", out _));
        Assert.Equal($"{path}: expected a tensor named \"c\", found only a, b", e.Message);
        e = Assert.Throws<NerveDataException>(() => f.GetFloat("a", out _));
        Assert.Equal($"{path}: expected dtype F32 or F64 for tensor \"a\", found I32", e.Message);
    }

    [Fact]
    public void Atomic_write_keeps_the_old_file_when_the_writer_throws()
    {
        using var dir = new TempDir();
        var path = dir.Write("model.nerve", "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("partial"u8);
            throw new InvalidOperationException("boom");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));

        AtomicFile.WriteAllText(path, "new ü");
        Assert.Equal("new ü"u8.ToArray(), File.ReadAllBytes(path));
        AtomicFile.WriteAllBytes(path, [1, 2]);
        Assert.Equal(new byte[] { 1, 2 }, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));

        var missing = Path.Combine(dir.Path, "no-such-dir", "x.nerve");
        var e = Assert.Throws<NerveException>(() => AtomicFile.WriteAllText(missing, "x"));
        Assert.StartsWith(missing + ": cannot write: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_a_file_keeps_no_copy_of_it_and_floats_go_straight_to_the_callers_memory()
    {
        var values = new float[1 << 20]; // 4 MB of data
        for (int i = 0; i < values.Length; i++) values[i] = i * 0.5f;
        var w = new SafeTensorsWriter();
        w.AddMetadata("format", "test");
        w.AddChecksum("sha256");
        w.Add("table", values, 1024, 1024);
        w.Add("bias", [1f, 2f], 2);
        using var dir = new TempDir();
        var path = dir.File("big.safetensors");
        w.Save(path);

        var into = new float[values.Length];
        long before = GC.GetAllocatedBytesForCurrentThread();
        using (var f = SafeTensorsFile.Read(path))
        {
            Assert.True(f.VerifyChecksum("sha256"));
            Assert.Equal(values.Length, f.ReadFloat("table", into, out var shape));
            Assert.Equal([1024L, 1024L], shape);
            Assert.Equal(2, f.ReadFloat("bias", new float[3], out _)); // a different count: nothing read
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(values, into);
        Assert.True(allocated < values.Length, $"{allocated} bytes allocated reading a file of {values.Length * sizeof(float)} data bytes");
    }
}
