using Nerve.Embed;
using Nerve.Vectors;

namespace Nerve.Tests.Embed;

/// <summary>The n-gram rows `nerve embed --subwords` writes, and the vectors they compose for unknown words.</summary>
public class SubwordTableTests
{
    private static readonly string[] Words = ["market", "marketing", "markets", "stock", "stocks", "trade", "trader", "price", "prices", "bond"];

    private static string Corpus(int lines, int seed)
    {
        var rng = new Random(seed);
        return string.Join("\n", Enumerable.Range(0, lines).Select(_ => string.Join(" ", Enumerable.Range(0, 8).Select(_ => Words[rng.Next(Words.Length)]))));
    }

    private static SkipGramModel Train(int buckets = 3_000)
    {
        using var dir = new TempDir();
        var path = dir.Write("c.txt", Corpus(300, 1));
        return SkipGramTrainer.Train([new EmbedInput(path)], new SkipGramOptions { Dim = 8, Epochs = 2, Buckets = buckets, Sample = 0, Seed = 1 });
    }

    [Fact]
    public void With_every_bucket_kept_the_table_composes_unknown_words_exactly_as_the_model_does()
    {
        // 40 buckets: the vocabulary's n-grams use nearly all of them, so most unknown words find every row kept.
        var model = Train(buckets: 40);
        var table = model.NGramTable(int.MaxValue);
        var kept = table.BucketIds.ToHashSet();
        var composed = new float[table.Dim];
        int compared = 0;
        foreach (var oov in new[] { "marketed", "Traders", "bonds", "pricey", "stocking", "marker", "traded", "bondage", "priced", "stockist" })
        {
            Assert.Equal(-1, model.IndexOf(oov.ToLowerInvariant()));
            if (!Subwords.NGrams(oov.ToLowerInvariant(), 3, 6).All(g => kept.Contains((int)(Subwords.Hash(g) % 40u)))) continue;
            Assert.True(table.Compose(oov, composed));
            Assert.Equal(model.Vector(oov), composed); // same rows, same order, same float sums
            compared++;
        }
        Assert.True(compared >= 3, $"only {compared} words had every n-gram kept");
    }

    [Fact]
    public void Pruning_keeps_the_frequent_words_n_grams_first_and_composes_from_the_kept_ones()
    {
        var model = Train();
        var all = model.NGramTable(int.MaxValue);
        var small = model.NGramTable(10);
        Assert.Equal(10, small.Count);
        // The first word's n-gram buckets come first, in fastText's order.
        var first = Subwords.NGrams(model.Words[0], 3, 6).Select(g => (int)(Subwords.Hash(g) % 3_000u)).Distinct().Take(10);
        Assert.Equal(first, small.BucketIds);
        var v = new float[small.Dim];
        // A word none of whose n-grams is kept composes nothing (the caller keeps UUUNKKK).
        Assert.False(small.Compose("zzzzz", v));
        Assert.All(v, x => Assert.Equal(0f, x));
        // The mean over the kept rows only.
        var kept = new HashSet<int>(small.BucketIds);
        var rows = Subwords.NGrams(model.Words[0], 3, 6).Select(g => (int)(Subwords.Hash(g) % 3_000u)).Where(kept.Contains).ToList();
        var expected = new float[small.Dim];
        foreach (int b in rows)
            for (int j = 0; j < expected.Length; j++) expected[j] += small.Rows[Array.IndexOf(small.BucketIds, b) * small.Dim + j];
        for (int j = 0; j < expected.Length; j++) expected[j] *= 1f / rows.Count;
        Assert.True(small.Compose(model.Words[0], v));
        Assert.Equal(expected, v);
        Assert.True(all.Count > small.Count);
    }

    [Fact]
    public void The_file_round_trips_bit_for_bit_and_bad_files_are_one_line_errors()
    {
        using var dir = new TempDir();
        var table = Train().NGramTable(200);
        var path = Path.Combine(dir.Path, "v.subwords.gz");
        table.Save(path);
        var loaded = SubwordTable.Load(path);
        Assert.Equal((table.MinN, table.MaxN, table.Buckets, table.Lowercase, table.Dim), (loaded.MinN, loaded.MaxN, loaded.Buckets, loaded.Lowercase, loaded.Dim));
        Assert.Equal(table.BucketIds, loaded.BucketIds);
        Assert.Equal(table.Rows, loaded.Rows);

        var bad = dir.Write("bad.txt", "nerve-subwords 1 2 3 3 6 100 1\n5 0.1 0.2 0.3\n");
        var e = Assert.Throws<NerveDataException>(() => SubwordTable.Load(bad));
        Assert.Contains("2 rows", e.Message, StringComparison.Ordinal);
        Assert.Throws<NerveDataException>(() => SubwordTable.Load(dir.Write("vec.txt", "3 50\nthe 0.1\n")));
        Assert.Throws<NerveDataException>(() => SubwordTable.Load(dir.Write("dup.txt", "nerve-subwords 1 2 1 3 6 100 1\n5 0.1\n5 0.2\n")));
    }
}
