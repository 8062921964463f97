using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Nerve.IO;

/// <summary>Element types of the safetensors format that Nerve reads and writes.</summary>
public enum TensorType { F32, F64, I32, I64, U8 }

/// <summary>
/// Builds a Hugging Face safetensors file: an 8-byte little-endian header length N, N bytes of JSON
/// (<c>{"__metadata__": {...}, "name": {"dtype", "shape", "data_offsets"}}</c>, space-padded to a multiple of 8),
/// then the tensors' little-endian bytes back to back, offsets relative to the end of the header.
/// </summary>
public sealed class SafeTensorsWriter
{
    private readonly List<(string Name, TensorType Type, long[] Shape, byte[] Data)> _tensors = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _metadata = new(StringComparer.Ordinal);
    private string? _checksumKey;

    public void Add(string name, ReadOnlySpan<float> data, params long[] shape) => AddRaw(name, TensorType.F32, shape, data);
    public void Add(string name, ReadOnlySpan<double> data, params long[] shape) => AddRaw(name, TensorType.F64, shape, data);
    public void Add(string name, ReadOnlySpan<int> data, params long[] shape) => AddRaw(name, TensorType.I32, shape, data);
    public void Add(string name, ReadOnlySpan<long> data, params long[] shape) => AddRaw(name, TensorType.I64, shape, data);
    public void Add(string name, ReadOnlySpan<byte> data, params long[] shape) => AddRaw(name, TensorType.U8, shape, data);

    public void AddMetadata(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        _metadata[key] = value;
    }

    /// <summary>
    /// Records under metadata <paramref name="key"/> the SHA-256 of every other metadata entry and every tensor
    /// (<see cref="SafeTensorsFile.Digest"/>), computed when the file is written.
    /// </summary>
    public void AddChecksum(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        _checksumKey = key;
    }

    public void Save(string path) => AtomicFile.Write(path, Write);

    /// <summary>Writes the whole container to <paramref name="stream"/>.</summary>
    public void Write(Stream stream)
    {
        if (_checksumKey is not null)
        {
            _metadata.Remove(_checksumKey);
            _metadata[_checksumKey] = SafeTensorsFile.Digest(_metadata, _tensors.Select(t => (t.Name, t.Type, t.Shape, (ReadOnlyMemory<byte>)t.Data)));
        }
        var header = BuildHeader();
        Span<byte> size = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(size, (ulong)header.Length);
        stream.Write(size);
        stream.Write(header);
        foreach (var t in _tensors)
            stream.Write(t.Data);
    }

    private void AddRaw<T>(string name, TensorType type, long[] shape, ReadOnlySpan<T> data) where T : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name == SafeTensorsFile.MetadataKey)
            throw new ArgumentException($"\"{name}\" is reserved for metadata", nameof(name));
        if (!_names.Add(name))
            throw new ArgumentException($"tensor \"{name}\" added twice", nameof(name));
        shape = shape.Length == 0 ? [data.Length] : (long[])shape.Clone();
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0)
                throw new ArgumentException($"negative dimension in shape of \"{name}\"", nameof(shape));
            count *= d;
        }
        if (count != data.Length)
            throw new ArgumentException($"shape [{string.Join(',', shape)}] has {count} elements but \"{name}\" has {data.Length}", nameof(shape));
        var bytes = MemoryMarshal.AsBytes(data).ToArray();
        if (!BitConverter.IsLittleEndian)
            SafeTensorsFile.ReverseElements(bytes, SafeTensorsFile.ElementSize(type));
        _tensors.Add((name, type, shape, bytes));
    }

    private byte[] BuildHeader()
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping keeps non-ASCII words readable UTF-8; the header is never embedded in HTML.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (_metadata.Count > 0)
            {
                json.WriteStartObject(SafeTensorsFile.MetadataKey);
                foreach (var (k, v) in _metadata)
                    json.WriteString(k, v);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in _tensors)
            {
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", t.Type.ToString());
                json.WriteStartArray("shape");
                foreach (var d in t.Shape)
                    json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + t.Data.Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += t.Data.Length;
            }
            json.WriteEndObject();
        }
        // Pad with spaces so the data starts 8-byte aligned (8 + N is a multiple of 8).
        var padding = (int)((8 - buffer.Length % 8) % 8);
        for (var i = 0; i < padding; i++)
            buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }
}

/// <summary>A safetensors file read into memory and validated; see <see cref="SafeTensorsWriter"/> for the layout.</summary>
public sealed class SafeTensorsFile : IDisposable
{
    internal const string MetadataKey = "__metadata__";

    private sealed record Entry(string Name, TensorType Type, long[] Shape, long Begin, long End);

    private readonly string _path;
    private readonly byte[]? _bytes;           // a container held in memory (Parse), or
    private readonly SafeFileHandle? _file;    // the open file (Read), whose tensors are read where they are wanted
    private readonly long _dataStart;
    private readonly Dictionary<string, Entry> _entries;

    private SafeTensorsFile(string path, byte[]? bytes, SafeFileHandle? file, long dataStart, Dictionary<string, Entry> entries, Dictionary<string, string> metadata)
    {
        _path = path;
        _bytes = bytes;
        _file = file;
        _dataStart = dataStart;
        _entries = entries;
        Metadata = metadata;
    }

    /// <summary>Closes the file of <see cref="Read"/>.</summary>
    public void Dispose() => _file?.Dispose();

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public IReadOnlyCollection<string> Names => _entries.Keys;

    public bool Contains(string name) => _entries.ContainsKey(name);

    /// <summary>
    /// Whether the SHA-256 recorded under metadata <paramref name="key"/> matches the file's content: null when there is
    /// no such entry.
    /// </summary>
    public bool? VerifyChecksum(string key)
    {
        if (!Metadata.TryGetValue(key, out var recorded)) return null;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendMetadata(sha, Metadata.Where(kv => kv.Key != key));
        var block = ArrayPool<byte>.Shared.Rent(1 << 16); // the data streams through: no copy of the file is kept
        try
        {
            foreach (var e in _entries.Values.OrderBy(e => e.Begin).ThenBy(e => e.End))
            {
                AppendTensorHead(sha, e.Name, e.Type, e.Shape);
                for (long at = e.Begin; at < e.End;)
                {
                    int n = (int)Math.Min(block.Length, e.End - at);
                    ReadData(at, block.AsSpan(0, n));
                    sha.AppendData(block, 0, n);
                    at += n;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block);
        }
        return string.Equals(recorded, Convert.ToHexStringLower(sha.GetHashAndReset()), StringComparison.Ordinal);
    }

    /// <summary>
    /// SHA-256, in lowercase hex, of the metadata entries in ordinal key order (key, NUL, value, NUL) followed by each
    /// tensor in file order (name, NUL, dtype, NUL, shape as "d1,d2", NUL, its bytes).
    /// </summary>
    internal static string Digest(IEnumerable<KeyValuePair<string, string>> metadata, IEnumerable<(string Name, TensorType Type, long[] Shape, ReadOnlyMemory<byte> Data)> tensors)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendMetadata(sha, metadata);
        foreach (var (name, type, shape, data) in tensors)
        {
            AppendTensorHead(sha, name, type, shape);
            sha.AppendData(data.Span);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static void AppendText(IncrementalHash sha, string s)
    {
        sha.AppendData(Encoding.UTF8.GetBytes(s));
        sha.AppendData([0]);
    }

    /// <summary>The metadata part of <see cref="Digest"/>: entries in ordinal key order.</summary>
    private static void AppendMetadata(IncrementalHash sha, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            AppendText(sha, k);
            AppendText(sha, v);
        }
    }

    /// <summary>What <see cref="Digest"/> hashes before a tensor's bytes.</summary>
    private static void AppendTensorHead(IncrementalHash sha, string name, TensorType type, long[] shape)
    {
        AppendText(sha, name);
        AppendText(sha, type.ToString());
        AppendText(sha, string.Join(',', shape.Select(d => d.ToString(CultureInfo.InvariantCulture))));
    }

    /// <summary>
    /// Opens and validates a file, reading its header only: tensors are read from the open file when asked for (into
    /// the caller's memory with <see cref="ReadFloat"/>), so no copy of the whole file is made. Dispose it to close the file.
    /// </summary>
    public static SafeTensorsFile Read(string path)
    {
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NerveException($"{path}: cannot read: {e.Message}", e);
        }
        try
        {
            long length = RandomAccess.GetLength(file);
            Span<byte> size = stackalloc byte[8];
            int got = length < 8 ? 0 : ReadFully(file, path, size, 0);
            var header = HeaderBytes(path, length, got < 8 ? null : BinaryPrimitives.ReadUInt64LittleEndian(size));
            ReadFully(file, path, header, 8);
            return Parse(path, null, file, header, length);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Parses and validates a container held in memory; <paramref name="path"/> names it in errors.</summary>
    public static SafeTensorsFile Parse(string path, byte[] bytes)
    {
        var header = HeaderBytes(path, bytes.Length, bytes.Length < 8 ? null : BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        bytes.AsSpan(8, header.Length).CopyTo(header);
        return Parse(path, bytes, null, header, bytes.Length);
    }

    /// <summary>A buffer for the header of a container of <paramref name="length"/> bytes whose first 8 give <paramref name="headerSize"/> (null: too short).</summary>
    private static byte[] HeaderBytes(string path, long length, ulong? headerSize)
    {
        if (headerSize is not { } h)
            throw Error(path, "an 8-byte header size", $"a file of {length} bytes");
        if (h > (ulong)(length - 8))
            throw Error(path, $"a header of at most {length - 8} bytes (the rest of the file)", $"a header size of {h}");
        return new byte[h];
    }

    private static SafeTensorsFile Parse(string path, byte[]? bytes, SafeFileHandle? file, byte[] headerBytes, long length)
    {
        var headerSize = headerBytes.Length;
        var dataStart = 8 + (long)headerSize;
        var dataLength = length - dataStart;

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // JsonDocument checks UTF-8 only when a string is read, and then throws InvalidOperationException: check it first.
        var header = headerBytes.AsSpan();
        if (!System.Text.Unicode.Utf8.IsValid(header))
        {
            System.Text.Unicode.Utf8.ToUtf16(header, new char[header.Length], out int valid, out _, replaceInvalidSequences: false);
            throw Error(path, "a UTF-8 JSON header", $"invalid UTF-8 at byte offset {8 + valid}");
        }
        try
        {
            using var doc = JsonDocument.Parse(headerBytes);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw Error(path, "a JSON object as header", $"a JSON {doc.RootElement.ValueKind}");
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(prop.Name))
                    throw Error(path, "each name once in the header", $"\"{prop.Name}\" twice");
                if (prop.Name == MetadataKey)
                    ReadMetadata(path, prop.Value, metadata);
                else
                    entries[prop.Name] = ReadEntry(path, prop.Name, prop.Value, dataLength);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException) // the latter: an escaped lone surrogate read as a string
        {
            throw Error(path, "a JSON header", "invalid JSON: " + e.Message);
        }

        // The byte buffer must be covered exactly: no overlaps, no holes.
        long covered = 0;
        Entry? previous = null;
        foreach (var e in entries.Values.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin < covered)
                throw Error(path, $"tensor \"{e.Name}\" to start at or after byte {covered} where \"{previous!.Name}\" ends", $"data_offsets [{e.Begin}, {e.End}] overlapping it");
            if (e.Begin > covered)
                throw Error(path, $"tensor \"{e.Name}\" to start at byte {covered}", $"a hole: data_offsets [{e.Begin}, {e.End}]");
            covered = e.End;
            previous = e;
        }
        if (covered != dataLength)
            throw Error(path, $"{covered} data bytes after the header", $"{dataLength} bytes");
        return new SafeTensorsFile(path, bytes, file, dataStart, entries, metadata);
    }

    private static void ReadMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Error(path, "__metadata__ to be an object of strings", $"a JSON {value.ValueKind}");
        foreach (var m in value.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String)
                throw Error(path, $"a string for metadata \"{m.Name}\"", $"a JSON {m.Value.ValueKind}");
            metadata[m.Name] = m.Value.GetString()!;
        }
    }

    private static Entry ReadEntry(string path, string name, JsonElement value, long dataLength)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Error(path, $"an object describing tensor \"{name}\"", $"a JSON {value.ValueKind}");
        if (!value.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String)
            throw Error(path, $"a string \"dtype\" for tensor \"{name}\"", "none");
        var typeName = dtype.GetString()!;
        if (!TryParseType(typeName, out var type))
            throw Error(path, $"dtype F32, F64, I32, I64 or U8 for tensor \"{name}\"", NerveDataException.Quote(typeName));
        if (!value.TryGetProperty("shape", out var shapeJson) || shapeJson.ValueKind != JsonValueKind.Array)
            throw Error(path, $"a \"shape\" array for tensor \"{name}\"", "none");
        var shape = new long[shapeJson.GetArrayLength()];
        long count = 1;
        var i = 0;
        foreach (var d in shapeJson.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var n) || n < 0)
                throw Error(path, $"non-negative integer dimensions for tensor \"{name}\"", d.GetRawText());
            shape[i++] = n;
            count = n == 0 ? 0 : count > long.MaxValue / n ? long.MaxValue : count * n;
        }
        if (!value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || !offsets[0].TryGetInt64(out var begin) || !offsets[1].TryGetInt64(out var end))
            throw Error(path, $"\"data_offsets\": [begin, end] for tensor \"{name}\"", value.TryGetProperty("data_offsets", out var o) ? o.GetRawText() : "none");
        if (begin < 0 || end < begin || end > dataLength)
            throw Error(path, $"data_offsets of tensor \"{name}\" within the {dataLength} data bytes", $"[{begin}, {end}]");
        var size = ElementSize(type);
        if (count > long.MaxValue / size || end - begin != count * size)
            throw Error(path, $"{(count > long.MaxValue / size ? "a size that fits" : (count * size).ToString(CultureInfo.InvariantCulture) + " bytes")} for tensor \"{name}\" of shape [{string.Join(',', shape)}] and dtype {type}",
                $"{end - begin} bytes");
        return new Entry(name, type, shape, begin, end);
    }

    private static bool TryParseType(string s, out TensorType type)
    {
        switch (s)
        {
            case "F32": type = TensorType.F32; return true;
            case "F64": type = TensorType.F64; return true;
            case "I32": type = TensorType.I32; return true;
            case "I64": type = TensorType.I64; return true;
            case "U8": type = TensorType.U8; return true;
            default: type = default; return false;
        }
    }

    internal static int ElementSize(TensorType t) => t switch
    {
        TensorType.F32 or TensorType.I32 => 4,
        TensorType.F64 or TensorType.I64 => 8,
        _ => 1,
    };

    internal static void ReverseElements(Span<byte> bytes, int size)
    {
        if (size == 1)
            return;
        for (var i = 0; i < bytes.Length; i += size)
            bytes.Slice(i, size).Reverse();
    }

    public TensorType GetTensorType(string name) => Find(name).Type;

    public long[] GetShape(string name) => (long[])Find(name).Shape.Clone();

    /// <summary>A float tensor; F64 data is rounded to F32.</summary>
    public float[] GetFloat(string name, out long[] shape)
    {
        var e = Find(name);
        shape = (long[])e.Shape.Clone();
        return e.Type switch
        {
            TensorType.F32 => Copy<float>(e),
            TensorType.F64 => Array.ConvertAll(Copy<double>(e), d => (float)d),
            _ => throw WrongType(e, "F32 or F64"),
        };
    }

    /// <summary>A floating-point tensor as doubles; F32 data is widened exactly.</summary>
    public double[] GetDouble(string name, out long[] shape)
    {
        var e = Find(name);
        shape = (long[])e.Shape.Clone();
        return e.Type switch
        {
            TensorType.F64 => Copy<double>(e),
            TensorType.F32 => Array.ConvertAll(Copy<float>(e), f => (double)f),
            _ => throw WrongType(e, "F32 or F64"),
        };
    }

    public int[] GetInt32(string name, out long[] shape)
    {
        var e = Find(name);
        shape = (long[])e.Shape.Clone();
        return e.Type switch
        {
            TensorType.I32 => Copy<int>(e),
            TensorType.U8 => Array.ConvertAll(Copy<byte>(e), b => (int)b),
            _ => throw WrongType(e, "I32 or U8"),
        };
    }

    public long[] GetInt64(string name, out long[] shape)
    {
        var e = Find(name);
        shape = (long[])e.Shape.Clone();
        return e.Type switch
        {
            TensorType.I64 => Copy<long>(e),
            TensorType.I32 => Array.ConvertAll(Copy<int>(e), i => (long)i),
            TensorType.U8 => Array.ConvertAll(Copy<byte>(e), b => (long)b),
            _ => throw WrongType(e, "I64, I32 or U8"),
        };
    }

    public byte[] GetBytes(string name, out long[] shape)
    {
        var e = Find(name);
        shape = (long[])e.Shape.Clone();
        return e.Type == TensorType.U8 ? Copy<byte>(e) : throw WrongType(e, "U8");
    }

    private Entry Find(string name)
        => _entries.TryGetValue(name, out var e) ? e
            : throw Error(_path, $"a tensor named \"{name}\"", _entries.Count == 0 ? "no tensors" : "only " + string.Join(", ", _entries.Keys.Order(StringComparer.Ordinal)));

    private NerveDataException WrongType(Entry e, string expected) => Error(_path, $"dtype {expected} for tensor \"{e.Name}\"", e.Type.ToString());

    /// <summary>
    /// Reads float tensor <paramref name="name"/> into <paramref name="destination"/> when it holds exactly as many values
    /// (F32 straight from the file, F64 rounded), and returns its number of values; on a different count nothing is read.
    /// </summary>
    public long ReadFloat(string name, Span<float> destination, out long[] shape)
    {
        var e = Find(name);
        shape = (long[])e.Shape.Clone();
        long count = (e.End - e.Begin) / ElementSize(e.Type);
        if (e.Type is not (TensorType.F32 or TensorType.F64)) throw WrongType(e, "F32 or F64");
        if (count != destination.Length) return count;
        if (e.Type == TensorType.F64) GetFloat(name, out _).CopyTo(destination);
        else Copy(e, destination);
        return count;
    }

    private T[] Copy<T>(Entry e) where T : unmanaged
    {
        var result = new T[(e.End - e.Begin) / Marshal.SizeOf<T>()];
        Copy<T>(e, result);
        return result;
    }

    private void Copy<T>(Entry e, Span<T> result) where T : unmanaged
    {
        var target = MemoryMarshal.AsBytes(result);
        ReadData(e.Begin, target);
        if (!BitConverter.IsLittleEndian)
            ReverseElements(target, Marshal.SizeOf<T>());
    }

    /// <summary>The data bytes from <paramref name="offset"/> (relative to the end of the header) on.</summary>
    private void ReadData(long offset, Span<byte> target)
    {
        if (_bytes is not null) _bytes.AsSpan((int)(_dataStart + offset), target.Length).CopyTo(target);
        else ReadFully(_file!, _path, target, _dataStart + offset);
    }

    /// <summary>Fills <paramref name="target"/> from <paramref name="file"/> at <paramref name="offset"/>; a file cut short meanwhile is an error.</summary>
    private static int ReadFully(SafeFileHandle file, string path, Span<byte> target, long offset)
    {
        int done = 0;
        try
        {
            while (done < target.Length)
            {
                int n = RandomAccess.Read(file, target[done..], offset + done);
                if (n == 0) throw new NerveException($"{path}: cannot read: the file was cut short while being read");
                done += n;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NerveException($"{path}: cannot read: {e.Message}", e);
        }
        return done;
    }

    private static NerveDataException Error(string path, string expected, string found) => new(path, 0, expected, found);
}
