using Nerve.Corpus;
using Nerve.Features;
using Nerve.Model;
using Nerve.Tagging;
using Nerve.Jobs;
using Nerve.Training;

namespace Nerve.Tests.Features;

public sealed class FeatureTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nerve-feat-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("reuters", 1)]
    [InlineData("Reuters", 2)]
    [InlineData("EU", 3)]
    [InlineData("A", 3)]
    [InlineData("McDonald", 4)]
    [InlineData("iPhone", 4)]
    [InlineData("1996", 5)]
    [InlineData("3.5", 5)]
    [InlineData("--", 6)]
    [InlineData("Über", 2)]
    public void Capitalisation_classes(string word, int expected) => Assert.Equal(expected, Featurizer.CapsClass(word));

    [Theory]
    [InlineData("Running", true, 3, "run")]
    [InlineData("Running", false, 3, "ing")]
    [InlineData("EU", false, 3, "^eu")]
    public void Affixes_are_lowercased_and_short_words_marked(string word, bool prefix, int len, string expected)
        => Assert.Equal(expected, Featurizer.Affix(word, prefix, len));

    [Fact]
    public void Gazetteer_takes_the_longest_entry_left_to_right_case_insensitively()
    {
        var g = new Gazetteer();
        g.Add("LOC", "New York");
        g.Add("LOC", "New York City");
        g.Add("LOC", "York");
        g.Add("ORG", "new york times");
        var words = new[] { "the", "new", "york", "city", "and", "York", "new" };
        var lower = words.Select(w => w.ToLowerInvariant()).ToArray();
        var tags = new int[words.Length];
        g.Match(lower, g.Types.ToList().IndexOf("LOC"), tags);
        Assert.Equal([Gazetteer.None, Gazetteer.Begin, Gazetteer.Inside, Gazetteer.Inside, Gazetteer.None, Gazetteer.Begin, Gazetteer.None], tags);
        g.Match(lower, g.Types.ToList().IndexOf("ORG"), tags);
        Assert.All(tags, t => Assert.Equal(Gazetteer.None, t)); // a prefix of an entry is not a match
    }

    [Fact]
    public void Gazetteer_directory_reads_typed_lines_and_typed_files()
    {
        File.WriteAllText(Path.Combine(_dir, "LOC.cities.txt"), "Paris\nBonn\n");
        File.WriteAllText(Path.Combine(_dir, "mixed.tsv"), "PER\tHelmut Kohl\nORG\tReuters\n");
        var g = Gazetteer.Load(_dir);
        Assert.Equal(["LOC", "PER", "ORG"], g.Types);
        Assert.Equal(4, g.Entries);
        var round = Gazetteer.Deserialize(g.Serialize());
        Assert.Equal(g.Serialize(), round.Serialize());
    }

    [Fact]
    public void Gazetteer_read_back_from_a_model_matches_as_the_one_built_from_lists()
    {
        var longName = string.Join(' ', Enumerable.Range(0, 60).Select(i => "word" + i)); // a 400-character key
        var g = new Gazetteer();
        foreach (var (type, entry) in new[]
        {
            ("LOC", "New York"), ("LOC", "new  york city"), ("LOC", " York "), ("LOC", "New"), ("ORG", "New York Times"),
            ("LOC", "São Paulo"), ("PER", "ÉMILE Zola"), ("LOC", longName), ("LOC", "new york"), ("ORG", "A\tB"),
        })
            g.Add(type, entry);
        var text = g.Serialize();
        var round = Gazetteer.Deserialize(text);
        Assert.Equal(text, round.Serialize());
        Assert.Equal(g.Types, round.Types);
        Assert.Equal(text.Count(c => c == '\n'), round.Entries); // one per distinct entry (g counted "new york" twice)
        // Lines a hand-edited model might hold (not normalised) go through Add, exactly as the lists did.
        var raw = Gazetteer.Deserialize("LOC\tNew  York\nLOC\tSÃO paulo\nLOC\t york\n");
        Assert.Equal("LOC\tnew york\nLOC\tsão paulo\nLOC\tyork\n", raw.Serialize());
        string[] words = ["the", "new", "york", "city", "são", "paulo", "and", "émile", "zola", "new", "york", "times", .. longName.Split(' '), "new"];
        var (a, b) = SameMatches(g, round, words);
        g.Match(words, 0, a); // LOC: the longest entry from each position, left to right
        Assert.Equal([Gazetteer.None, Gazetteer.Begin, Gazetteer.Inside, Gazetteer.Inside, Gazetteer.Begin, Gazetteer.Inside, Gazetteer.None,
            Gazetteer.None, Gazetteer.None, Gazetteer.Begin, Gazetteer.Inside, Gazetteer.None, Gazetteer.Begin, .. Enumerable.Repeat(Gazetteer.Inside, 59), Gazetteer.Begin], a);
    }

    [Fact]
    public void Gazetteer_read_from_its_index_matches_and_serializes_as_the_one_built_from_lists()
    {
        var g = new Gazetteer();
        foreach (var (type, entry) in new[] { ("LOC", "New York"), ("LOC", "New York City"), ("LOC", "York"), ("ORG", "new york times"), ("PER", "Émile Zola") })
            g.Add(type, entry);
        var text = g.Serialize();
        var index = g.Index();
        Assert.Equal(3, index[0]); // types
        Assert.Equal(3, index[2]); // LOC's longest entry, in tokens
        var round = Gazetteer.FromIndex((long[])index.Clone(), g.Types, g.Entries, System.Text.Encoding.UTF8.GetBytes(text));
        Assert.Equal(text, round.Serialize());
        Assert.Equal(g.Types, round.Types);
        Assert.Equal(g.Entries, round.Entries);
        string[] words = ["the", "new", "york", "city", "and", "york", "new", "york", "times", "émile", "zola", "new"];
        var (a, b) = SameMatches(g, round, words);
        round.Match(words, 0, b);
        Assert.Equal([Gazetteer.None, Gazetteer.Begin, Gazetteer.Inside, Gazetteer.Inside, Gazetteer.None, Gazetteer.Begin,
            Gazetteer.Begin, Gazetteer.Inside, Gazetteer.None, Gazetteer.None, Gazetteer.None, Gazetteer.None], b);
        Assert.Throws<ArgumentException>(() => Gazetteer.FromIndex(index[..^1], g.Types, g.Entries, []));
    }

    [Fact]
    public void Span_key_map_agrees_with_a_dictionary()
    {
        var rng = new Random(5);
        var map = new Nerve.Text.SpanKeyMap<int>();
        var reference = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < 20_000; i++)
        {
            var key = new string(Enumerable.Range(0, rng.Next(0, 12)).Select(_ => (char)('a' + rng.Next(6))).ToArray());
            if (rng.Next(3) == 0)
            {
                Assert.Equal(reference.TryGetValue(key, out int expected), map.TryGetValue(key, out int found));
                Assert.Equal(expected, found);
                continue;
            }
            reference[key] = i;
            map.Set(key.AsSpan(), i);
        }
        Assert.Equal(reference.Count, map.Count);
        Assert.Equal(reference.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)), map.Entries().OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.False(map.TryGetValue("zzz", out _));
    }

    [Fact]
    public void Gazetteer_line_with_an_empty_type_is_a_located_error()
    {
        File.WriteAllText(Path.Combine(_dir, "x.txt"), "Paris\n\tBonn\n");
        var e = Assert.Throws<NerveDataException>(() => Gazetteer.Load(_dir));
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void Featurizer_gives_one_id_per_table_and_pads_features_with_zero()
    {
        File.WriteAllText(Path.Combine(_dir, "LOC.txt"), "Paris\n");
        var train = Synthetic.Corpus(50, 1);
        var vocab = Vocabulary.BuildFromCorpus(train, 1, true);
        var f = Featurizer.Build(vocab, new FeatureOptions { Caps = true, Suffixes = [2], Gazetteers = _dir }, train);
        Assert.Equal(4, f.Count);
        Assert.Equal(["word", "caps", "suffix2", "gaz_LOC"], f.Specs(10).Select(s => s.Name));
        var ids = new int[3 * 4];
        f.Featurize(["Paris", "met", "zzzz"], ids);
        Assert.Equal(vocab.Lookup("paris"), ids[0]);
        Assert.Equal(2, ids[1]);                     // Title
        Assert.Equal(Gazetteer.Begin, ids[3]);
        Assert.Equal(1, ids[4 * 2 + 2]);             // unseen suffix "zz" → unknown row
        Assert.Equal(Gazetteer.None, ids[4 * 2 + 3]);
        var pad = new int[4];
        f.StartPadding(pad);
        Assert.Equal([vocab.StartIndex, 0, 0, 0], pad);
    }

    [Fact]
    public void The_word_memo_gives_the_ids_of_featurizing_every_word_afresh()
    {
        File.WriteAllText(Path.Combine(_dir, "LOC.txt"), "Paris\nNew York\n");
        var sentences = Synthetic.Corpus(200, 6);
        var vocab = Vocabulary.BuildFromCorpus(sentences, 2, lowercase: true);
        var featurizer = Featurizer.Build(vocab, new FeatureOptions { Caps = true, Prefixes = [1], Suffixes = [2, 3], Gazetteers = _dir }, sentences);
        Assert.Equal(5, featurizer.WordLevelCount); // word, caps, 3 affixes; the gazetteer column depends on the context
        string[][] texts = [["Paris", "paris", "PARIS", "New", "York", "1996"], ["new", "York", "Paris", "zzqx", "Zzqx", "1996"], .. sentences.Select(s => s.Words)];
        var memo = new WordMemo(featurizer.WordLevelCount);
        var small = new WordMemo(featurizer.WordLevelCount, capacity: 3); // full after three words: the rest are featurized afresh
        int f = featurizer.Count;
        foreach (var words in texts.Concat(texts))
        {
            var plain = new int[words.Length * f];
            var memoised = new int[words.Length * f];
            var bounded = new int[words.Length * f];
            featurizer.Featurize(words, plain);
            featurizer.Featurize(words, memoised, memo);
            featurizer.Featurize(words, bounded, small);
            Assert.Equal(plain, memoised);
            Assert.Equal(plain, bounded);
        }
    }

    [Fact]
    public void Windows_built_on_several_threads_equal_the_one_thread_layout()
    {
        File.WriteAllText(Path.Combine(_dir, "LOC.txt"), "Paris\nRome\n");
        var sentences = Synthetic.Corpus(300, 4);
        var vocab = Vocabulary.BuildFromCorpus(sentences, 1, lowercase: true);
        var featurizer = Featurizer.Build(vocab, new FeatureOptions { Caps = true, Suffixes = [2], Gazetteers = _dir }, sentences);
        int Label(string tag) => tag.Length; // any deterministic map will do
        var one = new WindowSet(sentences, featurizer, 5, Label, threads: 1);
        var three = new WindowSet(sentences, featurizer, 5, Label, threads: 3);
        AssertSameWindows(one, three);
        Assert.Equal(one.Labels, three.Labels);
        Assert.Equal(one.RowCounts([.. featurizer.Specs(8).Select(f => f.Size)]), three.RowCounts([.. featurizer.Specs(8).Select(f => f.Size)]));
    }

    [Fact]
    public void Windows_reusing_a_previous_sets_storage_equal_new_ones_and_allocate_no_ids()
    {
        var sentences = Synthetic.Corpus(200, 4);
        var vocab = Vocabulary.BuildFromCorpus(sentences, 1, lowercase: true);
        var featurizer = Featurizer.Build(vocab, new FeatureOptions { Caps = true, Suffixes = [2], Chars = new CharOptions() }, sentences);
        int f = featurizer.Count;
        WindowSet? previous = null;
        foreach (int count in new[] { 200, 120, 200, 60 }) // chunks of a stream: the storage of the first fits the others
        {
            var part = sentences.Take(count).ToList();
            int[] lengths = [.. part.Select(s => s.Count)];
            var ids = new int[lengths.Sum() * f];
            for (int s = 0, at = 0; s < part.Count; at += lengths[s++] * f) featurizer.Featurize(part[s].Words, ids.AsSpan(at, lengths[s] * f));
            var fresh = new WindowSet(ids, lengths, featurizer, 5);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var reused = WindowSet.Reuse(previous, ids, lengths, featurizer, 5);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (previous is not null) // the ids alone would be (positions, F) ints
                Assert.True(allocated < (long)fresh.Positions * f * sizeof(int) / 4, $"{allocated} bytes for {fresh.Positions} positions");
            Assert.Equal(fresh.Positions, reused.Positions);
            AssertSameWindows(fresh, reused);
            previous = reused;
        }
    }

    /// <summary>The same sentences and, window by window, the same ids.</summary>
    private static void AssertSameWindows(WindowSet x, WindowSet y)
    {
        Assert.Equal(x.Count, y.Count);
        Assert.Equal(x.SentenceStarts, y.SentenceStarts);
        var a = new int[x.Count * x.WindowWidth];
        var b = new int[y.Count * y.WindowWidth];
        x.GatherRange(0, x.Count, a);
        y.GatherRange(0, y.Count, b);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Windows_of_sentences_reusing_a_set_of_another_featurizer_equal_new_ones()
    {
        var sentences = Synthetic.Corpus(200, 4);
        var vocab = Vocabulary.BuildFromCorpus(sentences, 1, lowercase: true);
        var small = Vocabulary.BuildFromCorpus(sentences.Take(20), 1, lowercase: true);
        var a = Featurizer.Build(vocab, new FeatureOptions { Caps = true, Suffixes = [2] }, sentences);
        var b = Featurizer.Build(small, new FeatureOptions { Caps = true, Suffixes = [2] }, sentences.Take(20).ToList());
        var first = WindowSet.Reuse(null, sentences, a, 5, threads: 2); // its memos hold a's ids
        foreach (var (featurizer, previous) in new[] { (b, first), (a, WindowSet.Reuse(first, sentences, a, 5)) })
        {
            var fresh = new WindowSet(sentences, featurizer, 5);
            var reused = WindowSet.Reuse(previous, sentences, featurizer, 5, threads: 2);
            var x = new int[fresh.Count * fresh.WindowWidth];
            var y = new int[fresh.Count * fresh.WindowWidth];
            fresh.GatherRange(0, fresh.Count, x);
            reused.GatherRange(0, reused.Count, y);
            Assert.Equal(x, y);
        }
    }

    [Fact]
    public void A_crf_model_with_every_feature_learns_and_round_trips_through_its_file()
    {
        File.WriteAllText(Path.Combine(_dir, "LOC.txt"), "Paris\nRome\n");
        string train = Path.Combine(_dir, "train.txt"), dev = Path.Combine(_dir, "dev.txt"), path = Path.Combine(_dir, "m.nerve");
        Synthetic.Write(train, Synthetic.Corpus(300, 1));
        Synthetic.Write(dev, Synthetic.Corpus(60, 2));
        var (model, result) = TrainJob.Run(new TrainJobOptions
        {
            TrainPath = train,
            DevPath = dev,
            ModelPath = path,
            Dim = 10,
            MinCount = 1,
            Hidden = [16],
            Output = OutputKind.Crf,
            Features = new FeatureOptions { Caps = true, Prefixes = [2], Suffixes = [3], Gazetteers = _dir },
            Training = new TrainOptions { Epochs = 4, InputDropout = 0.1, HiddenDropout = 0.1, ClipNorm = 5 },
        });
        Assert.Equal(TagScheme.BIOES, model.LabelScheme);
        Assert.Equal(TagScheme.IOB1, model.Scheme);
        Assert.True(result.BestF1 > 95, $"dev F1 {result.BestF1:F2}");
        var loaded = NerModel.Load(path);
        var sentences = CorpusReader.Read(dev).Sentences;
        var a = model.Predict(sentences);
        var b = loaded.Predict(sentences, threads: 2);
        Assert.Equal(a.Tags, b.Tags);
        Assert.Equal(a.Confidence, b.Confidence);
        // Many sentences share each batch; the CRF decodes every one on its own rows, as if it were tagged alone.
        for (int s = 0; s < sentences.Count; s++)
        {
            var alone = model.Predict([sentences[s]]);
            Assert.Equal(a.Tags[s], alone.Tags[0]);
            for (int i = 0; i < alone.Confidence[0].Length; i++) Assert.Equal(alone.Confidence[0][i], a.Confidence[s][i], 1e-4f);
        }
        Assert.All(a.Tags.SelectMany(t => t), t => Assert.DoesNotContain("S-", t, StringComparison.Ordinal)); // output is in the corpus scheme
        // The precomputed first layer (the default) against the plain forward, over every feature table and the CRF.
        loaded.PrecomputeBytes = 0;
        var plain = loaded.Predict(sentences);
        Assert.Equal(plain.Tags, a.Tags);
        for (int s = 0; s < sentences.Count; s++)
            for (int i = 0; i < plain.Confidence[s].Length; i++) Assert.Equal(plain.Confidence[s][i], a.Confidence[s][i], 1e-4f); // CRF marginals: exp of sums over the sentence amplify score rounding
    }

    /// <summary>Asserts that both gazetteers tag <paramref name="words"/> alike for every type; returns two buffers of its length.</summary>
    private static (int[] A, int[] B) SameMatches(Gazetteer g, Gazetteer other, string[] words)
    {
        var a = new int[words.Length];
        var b = new int[words.Length];
        for (int t = 0; t < g.Types.Count; t++)
        {
            g.Match(words, t, a);
            other.Match(words, t, b);
            Assert.Equal(a, b);
        }
        return (a, b);
    }
}
