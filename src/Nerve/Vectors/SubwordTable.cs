using System.Globalization;
using System.IO.Compression;
using System.Numerics.Tensors;
using System.Text;

namespace Nerve.Vectors;

/// <summary>
/// Character n-gram vectors of a fastText model (<see cref="Subwords"/>), kept for a subset of its hash buckets: a word
/// outside the vocabulary gets the mean of the rows of its n-grams (fastText's getWordVector, Bojanowski et al. 2017
/// eq. 3 averaged), over the n-grams whose bucket is kept. The full table (2M buckets) is too large to ship in a model;
/// `nerve embed --subwords` keeps the buckets of the most frequent words' n-grams first.
/// File format (text, gzipped if the name ends in .gz): a header "nerve-subwords 1 ROWS DIM MINN MAXN BUCKETS LOWER"
/// then one line per kept bucket, "BUCKET v1 … vDim", floats written to round-trip.
/// </summary>
public sealed class SubwordTable
{
    private const string Magic = "nerve-subwords";
    private readonly Dictionary<int, int> _row; // bucket → row of Rows

    public SubwordTable(int minN, int maxN, int buckets, bool lowercase, int dim, int[] bucketIds, float[] rows)
    {
        if (minN < 1 || maxN < minN || buckets < 1 || dim < 1 || rows.Length != (long)bucketIds.Length * dim)
            throw new ArgumentException($"inconsistent subword table: minn {minN}, maxn {maxN}, buckets {buckets}, dim {dim}, {bucketIds.Length} ids, {rows.Length} values");
        MinN = minN;
        MaxN = maxN;
        Buckets = buckets;
        Lowercase = lowercase;
        Dim = dim;
        BucketIds = bucketIds;
        Rows = rows;
        _row = new Dictionary<int, int>(bucketIds.Length);
        for (int i = 0; i < bucketIds.Length; i++)
            if (bucketIds[i] < 0 || bucketIds[i] >= buckets || !_row.TryAdd(bucketIds[i], i))
                throw new ArgumentException($"bucket {bucketIds[i]} out of range or repeated", nameof(bucketIds));
    }

    public int MinN { get; }
    public int MaxN { get; }
    /// <summary>The hash modulus of the model the rows come from.</summary>
    public int Buckets { get; }
    /// <summary>Words are lowercased before their n-grams are taken.</summary>
    public bool Lowercase { get; }
    public int Dim { get; }
    /// <summary>The kept buckets, one per row.</summary>
    public int[] BucketIds { get; }
    /// <summary>Rows (Count, Dim).</summary>
    public float[] Rows { get; }
    public int Count => BucketIds.Length;

    /// <summary>
    /// The composed vector of <paramref name="word"/> into <paramref name="destination"/> (Dim): the mean of its kept
    /// n-gram rows, summed in n-gram order (start, then length). False, and zeros, when none is kept.
    /// </summary>
    public bool Compose(string word, Span<float> destination)
    {
        var d = destination[..Dim];
        d.Clear();
        var rows = new List<int>();
        Subwords.AddRows(Lowercase ? word.ToLowerInvariant() : word, MinN, MaxN, Buckets, 0, rows);
        int n = 0;
        foreach (int bucket in rows)
        {
            if (!_row.TryGetValue(bucket, out int r)) continue;
            TensorPrimitives.Add(d, Rows.AsSpan(r * Dim, Dim), d);
            n++;
        }
        if (n == 0) return false;
        TensorPrimitives.Multiply(d, 1f / n, d);
        return true;
    }

    /// <summary>Writes the table atomically in the text format above.</summary>
    public void Save(string path)
    {
        bool gzip = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        IO.AtomicFile.Write(path, stream =>
        {
            using var compressed = gzip ? new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true) : null;
            using var w = new StreamWriter((Stream?)compressed ?? stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            var c = CultureInfo.InvariantCulture;
            w.Write(string.Create(c, $"{Magic} 1 {Count} {Dim} {MinN} {MaxN} {Buckets} {(Lowercase ? 1 : 0)}\n"));
            for (int i = 0; i < Count; i++)
            {
                w.Write(BucketIds[i].ToString(c));
                for (int j = 0; j < Dim; j++)
                {
                    w.Write(' ');
                    w.Write(Rows[i * Dim + j].ToString("R", c));
                }
                w.Write('\n');
            }
        });
    }

    /// <summary>Reads a table written by <see cref="Save"/>; anything else is a <see cref="NerveDataException"/>.</summary>
    public static SubwordTable Load(string path)
    {
        IO.InputFile.Check(path, "subword file");
        using var file = File.OpenRead(path);
        using var reader = new StreamReader(path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file, Encoding.UTF8);
        var c = CultureInfo.InvariantCulture;
        var head = (reader.ReadLine() ?? "").Split(' ');
        int[] h = new int[7];
        if (head.Length != 8 || head[0] != Magic || head[1] != "1" || !head.Skip(1).Select((s, i) => int.TryParse(s, NumberStyles.None, c, out h[i])).All(ok => ok)
            || h[1] < 0 || h[2] < 1 || h[3] < 1 || h[4] < h[3] || h[5] < 1 || h[6] > 1)
            throw new NerveDataException(path, 1, $"\"{Magic} 1 ROWS DIM MINN MAXN BUCKETS LOWER\"", NerveDataException.Quote(string.Join(' ', head)));
        int count = h[1], dim = h[2];
        var ids = new int[count];
        var rows = new float[(long)count * dim];
        for (int i = 0; i < count; i++)
        {
            long lineNo = i + 2;
            var line = reader.ReadLine() ?? throw new NerveDataException(path, lineNo, $"{count} rows", $"{i} rows");
            var f = line.Split(' ');
            if (f.Length != dim + 1 || !int.TryParse(f[0], NumberStyles.None, c, out ids[i]) || ids[i] >= h[5])
                throw new NerveDataException(path, lineNo, $"a bucket below {h[5]} and {dim} numbers", NerveDataException.Quote(line.Length > 60 ? line[..60] + "…" : line));
            for (int j = 0; j < dim; j++)
                if (!float.TryParse(f[j + 1], NumberStyles.Float, c, out rows[(long)i * dim + j]) || !float.IsFinite(rows[(long)i * dim + j]))
                    throw new NerveDataException(path, lineNo, "finite numbers", NerveDataException.Quote(f[j + 1]));
        }
        try
        {
            return new SubwordTable(h[3], h[4], h[5], h[6] == 1, dim, ids, rows);
        }
        catch (ArgumentException e)
        {
            throw new NerveDataException(path, 0, "each bucket once", e.Message);
        }
    }
}
