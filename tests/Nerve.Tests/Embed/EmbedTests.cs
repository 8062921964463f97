using System.IO.Compression;
using System.Numerics.Tensors;
using System.Text;
using Nerve.Embed;
using Nerve.Features;
using Nerve.Vectors;

namespace Nerve.Tests.Embed;

public class EmbedTests
{
    private static readonly string[] Animals = ["cat", "dog", "pet", "puppy", "kitten", "fur", "vet", "leash"];
    private static readonly string[] Finance = ["stock", "share", "market", "price", "trade", "bond", "yield", "investor"];

    /// <summary>Lines of 10 words, each line drawn from one group only: the groups never share a context.</summary>
    private static string TwoGroupCorpus(int lines, int seed)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder();
        for (var l = 0; l < lines; l++)
        {
            var group = l % 2 == 0 ? Animals : Finance;
            for (var w = 0; w < 10; w++)
                sb.Append(w == 0 ? "" : " ").Append(group[rng.Next(group.Length)]);
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Small, fast settings: every word is frequent in a tiny corpus, so subsampling is off.</summary>
    private static SkipGramOptions Small(int threads = 1, int seed = 1) => new()
    {
        Dim = 16, Epochs = 5, Buckets = 5_000, Sample = 0, Threads = threads, Seed = seed, LearningRate = 0.05f,
    };

    private static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => TensorPrimitives.CosineSimilarity(a, b);

    [Theory]
    [InlineData("", 0x811C9DC5u)]
    [InlineData("a", 0xE40C292Cu)] // the published FNV-1a 32-bit test vectors
    [InlineData("foobar", 0xBF9CF968u)]
    public void Fnv1a_matches_the_reference_values(string text, uint expected) => Assert.Equal(expected, Subwords.Hash(text));

    [Fact]
    public void Fnv1a_sign_extends_bytes_above_0x7f_as_fasttext_does()
    {
        // "é" = C3 A9. fastText XORs int8→uint32: 0xFFFFFFC3, then 0xFFFFFFA9. Plain FNV-1a would give 0x1E9DE8C1.
        var h = 2166136261u;
        h = (h ^ 0xFFFFFFC3u) * 16777619u;
        h = (h ^ 0xFFFFFFA9u) * 16777619u;
        Assert.Equal(0x3CFA68C1u, h);
        Assert.Equal(h, Subwords.Hash("é"));
    }

    [Fact]
    public void Ngrams_of_a_word_are_taken_over_its_bracketed_form()
    {
        Assert.Equal(["<ca", "<cat", "<cat>", "cat", "cat>", "at>"], Subwords.NGrams("cat", 3, 6));
        Assert.Equal(["<c", "ca", "at", "t>"], Subwords.NGrams("cat", 2, 2));
        // n counts characters, not bytes; a lone "<" or ">" is never an n-gram.
        Assert.Equal(["<é", "é", "é>"], Subwords.NGrams("é", 1, 2));
    }

    [Fact]
    public void Tokenizer_follows_the_manifest_regex_or_whitespace()
    {
        Assert.Equal(
            ["u", ".", "s", ".", "stocks", "fell", "3.5", "%", "on", "monday's", "well-known", "-", "-", "news", "1,000"],
            EmbedCorpus.Tokenize("U.S. stocks fell 3.5% on Monday's well-known -- news 1,000", whitespace: false, lowercase: true));
        Assert.Equal(["U.S.", "Monday's", "--"], EmbedCorpus.Tokenize(" U.S.\tMonday's  -- ", whitespace: true, lowercase: false));
    }

    [Fact]
    public void Corpus_keeps_words_seen_min_count_times_most_frequent_first()
    {
        using var dir = new TempDir();
        var a = dir.Write("a.txt", "b a a\n\nrare c c c\n");
        var b = dir.Write("b.txt", "A b\n");
        var corpus = EmbedCorpus.Read([new EmbedInput(a), new EmbedInput(b)], lowercase: true, minCount: 2);
        Assert.Equal(["a", "c", "b"], corpus.Words);
        Assert.Equal([3L, 3L, 2L], corpus.Counts);
        Assert.Equal(9, corpus.RawTokenCount);
        Assert.Equal(8, corpus.TokenCount);
        Assert.Equal(3, corpus.LineCount);
    }

    [Fact]
    public void Words_that_share_contexts_end_up_closer_than_words_that_do_not()
    {
        using var dir = new TempDir();
        var path = dir.Write("groups.txt", TwoGroupCorpus(1000, 7));
        var model = SkipGramTrainer.Train([new EmbedInput(path)], Small());
        var v = model.ToWordVectors();
        double within = 0, across = 0;
        int nWithin = 0, nAcross = 0;
        foreach (var x in Animals.Concat(Finance))
        {
            var xInAnimals = Animals.Contains(x);
            var nearest = Neighbours.Nearest(v, x, 1)[0];
            Assert.True(Animals.Contains(nearest.Word) == xInAnimals, $"{x}'s nearest neighbour is {nearest.Word}");
            foreach (var y in Animals.Concat(Finance))
            {
                if (x == y)
                    continue;
                var c = Cosine(v[v.IndexOf(x)], v[v.IndexOf(y)]);
                if (Animals.Contains(y) == xInAnimals)
                {
                    within += c;
                    nWithin++;
                }
                else
                {
                    across += c;
                    nAcross++;
                }
            }
        }
        Assert.True(within / nWithin > across / nAcross + 0.3, $"mean cosine within groups {within / nWithin:F3}, across {across / nAcross:F3}");
    }

    [Fact]
    public void Hogwild_threads_learn_the_groups_too()
    {
        using var dir = new TempDir();
        var path = dir.Write("groups.txt", TwoGroupCorpus(1000, 3));
        var v = SkipGramTrainer.Train([new EmbedInput(path)], Small(threads: 2)).ToWordVectors();
        Assert.True(Cosine(v[v.IndexOf("cat")], v[v.IndexOf("dog")]) > Cosine(v[v.IndexOf("cat")], v[v.IndexOf("stock")]));
        Assert.True(Cosine(v[v.IndexOf("stock")], v[v.IndexOf("bond")]) > Cosine(v[v.IndexOf("stock")], v[v.IndexOf("puppy")]));
    }

    [Fact]
    public void One_thread_and_a_seed_give_the_same_vectors_every_time()
    {
        using var dir = new TempDir();
        var inputs = new[] { new EmbedInput(dir.Write("groups.txt", TwoGroupCorpus(200, 5))) };
        var first = SkipGramTrainer.Train(inputs, Small(seed: 42)).ToWordVectors();
        var second = SkipGramTrainer.Train(inputs, Small(seed: 42)).ToWordVectors();
        var other = SkipGramTrainer.Train(inputs, Small(seed: 43)).ToWordVectors();
        Assert.Equal(first.Words, second.Words);
        Assert.Equal(first.Data, second.Data);
        Assert.NotEqual(first.Data, other.Data);
    }

    [Fact]
    public void Progress_is_reported_and_ends_complete()
    {
        using var dir = new TempDir();
        var reports = new List<SkipGramProgress>();
        SkipGramTrainer.Train([new EmbedInput(dir.Write("groups.txt", TwoGroupCorpus(200, 5)))], Small(), reports.Add);
        var last = reports[^1];
        Assert.Equal(1.0, last.Fraction);
        Assert.Equal(5L * 2000, last.Tokens);
        Assert.True(last.WordsPerSecond > 0 && last.Loss > 0 && double.IsFinite(last.Loss));
        Assert.Equal(0f, last.LearningRate);
    }

    [Theory]
    [InlineData("vectors.vec")]
    [InlineData("vectors.vec.gz")]
    public void Saved_vectors_load_with_the_right_count_dimension_and_values(string name)
    {
        using var dir = new TempDir();
        var model = SkipGramTrainer.Train([new EmbedInput(dir.Write("groups.txt", TwoGroupCorpus(200, 5)))], Small());
        var path = dir.File(name);
        model.Save(path);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(name.EndsWith(".gz", StringComparison.Ordinal), bytes[0] == 0x1f && bytes[1] == 0x8b);
        if (bytes[0] == 0x1f)
        {
            using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var reader = new StreamReader(gz);
            Assert.Equal("16 16", reader.ReadLine());
        }
        else
        {
            Assert.StartsWith("16 16\n", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        }

        var loaded = WordVectors.Load(path);
        Assert.Equal(16, loaded.Count);
        Assert.Equal(16, loaded.Dim);
        Assert.Equal(model.Words, loaded.Words);
        var expected = model.ToWordVectors();
        for (var i = 0; i < expected.Data.Length; i++)
            Assert.Equal(expected.Data[i], loaded.Data[i], 1e-5f * Math.Max(1, Math.Abs(expected.Data[i])));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp-*"));
    }

    [Fact]
    public void Vector_composes_unknown_words_from_their_ngrams()
    {
        using var dir = new TempDir();
        var inputs = new[] { new EmbedInput(dir.Write("groups.txt", TwoGroupCorpus(400, 5))) };
        var model = SkipGramTrainer.Train(inputs, Small());
        var v = model.ToWordVectors();
        Assert.Equal(v[v.IndexOf("kitten")].ToArray(), model.Vector("Kitten"));
        // "kittens" shares "<ki", "kit", "itt", "tte", "ten", … with "kitten" and nothing with "investor".
        var kittens = model.Vector("kittens");
        Assert.Equal(-1, model.IndexOf("kittens"));
        Assert.True(Cosine(kittens, v[v.IndexOf("kitten")]) > Cosine(kittens, v[v.IndexOf("investor")]) + 0.2);

        var plain = SkipGramTrainer.Train(inputs, Small() with { MaxN = 0 });
        Assert.All(plain.Vector("kittens"), x => Assert.Equal(0f, x));
        Assert.NotEqual(0f, TensorPrimitives.Norm(plain.Vector("kitten")));
    }

    [Fact]
    public void Bad_input_is_a_one_line_nerve_exception()
    {
        using var dir = new TempDir();
        var missing = dir.File("missing.txt");
        var e = Assert.Throws<NerveException>(() => SkipGramTrainer.Train([new EmbedInput(missing)], Small()));
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        Assert.Contains("no tokens", Assert.Throws<NerveException>(() => SkipGramTrainer.Train([new EmbedInput(dir.Write("empty.txt", "\n \n"))], Small())).Message, StringComparison.Ordinal);
        Assert.Contains("min-count", Assert.Throws<NerveException>(() => SkipGramTrainer.Train([new EmbedInput(dir.Write("once.txt", "a b c\n"))], Small())).Message, StringComparison.Ordinal);
        Assert.Contains("no input", Assert.Throws<NerveException>(() => SkipGramTrainer.Train([], Small())).Message, StringComparison.Ordinal);
        var ok = new[] { new EmbedInput(dir.Write("ok.txt", "a b a b\n")) };
        Assert.Contains("--dim", Assert.Throws<NerveException>(() => SkipGramTrainer.Train(ok, Small() with { Dim = 0 })).Message, StringComparison.Ordinal);
        Assert.Contains("--minn", Assert.Throws<NerveException>(() => SkipGramTrainer.Train(ok, Small() with { MinN = 7 })).Message, StringComparison.Ordinal);
        Assert.Contains("--lr", Assert.Throws<NerveException>(() => SkipGramTrainer.Train(ok, Small() with { LearningRate = float.NaN })).Message, StringComparison.Ordinal);
        Assert.Contains("--threads", Assert.Throws<NerveException>(() => SkipGramTrainer.Train(ok, Small() with { Threads = 0 })).Message, StringComparison.Ordinal);
        Assert.All(new[] { e.Message }, m => Assert.DoesNotContain('\n', m));
    }

    [Fact]
    public void Cli_trains_writes_gzip_and_reports_errors_in_one_line()
    {
        using var dir = new TempDir();
        var text = dir.Write("groups.txt", TwoGroupCorpus(200, 5));
        var output = dir.File("out.vec.gz");
        var (code, stdout, stderr) = NerveProcess.Run(null, "embed", "--input", text, "--output", output, "--dim", "8", "--buckets", "1000", "--epochs", "2", "--threads", "1", "--quiet");
        Assert.True(code == 0, stderr);
        Assert.Contains("words/s", stdout, StringComparison.Ordinal);
        var v = WordVectors.Load(output);
        Assert.Equal((16, 8), (v.Count, v.Dim));

        (code, _, stderr) = NerveProcess.Run(null, "embed", "--input", dir.File("nope.txt"), "--output", output);
        Assert.Equal(1, code);
        Assert.Equal($"nerve: {dir.File("nope.txt")}: file not found", stderr.Trim());
        (code, _, stderr) = NerveProcess.Run(null, "embed", "--input", text, "--output", output, "--minn", "4", "--maxn", "3");
        Assert.Equal(1, code);
        Assert.StartsWith("nerve: --minn must be between 1 and maxn = 3", stderr.Trim(), StringComparison.Ordinal);
    }
}

[CollectionDefinition(nameof(AllocationTests), DisableParallelization = true)]
public sealed class AllocationTests;

/// <summary>Runs alone, so the process-wide allocation counter sees only this training.</summary>
[Collection(nameof(AllocationTests))]
public class EmbedAllocationTests
{
    [Fact]
    public void Training_allocates_nothing_per_epoch()
    {
        using var dir = new TempDir();
        var corpus = EmbedCorpus.Read([new EmbedInput(dir.Write("text.txt", string.Concat(Enumerable.Repeat("the cat sat on the mat while the dog ate the bone\n", 300))))], lowercase: true, minCount: 1);
        long Allocated(int epochs)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            SkipGramTrainer.Train(corpus, new SkipGramOptions { Dim = 16, Buckets = 1000, Epochs = epochs, Threads = 2 });
            return GC.GetTotalAllocatedBytes(precise: true) - before;
        }
        Allocated(3);
        var one = Allocated(1);
        var many = Allocated(41);
        Assert.True(many - one < 16_384, $"1 epoch allocated {one} bytes, 41 epochs {many}");
    }
}
