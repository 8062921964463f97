using Nerve.Features;
using Nerve.Model;
using Nerve.Tagging;

namespace Nerve.Tests.Tagging;

/// <summary>
/// The precomputed first layer of a character-convolution model (W_c x cached per token, keyed by its ids) against
/// the network's plain forward, on a model shaped like the default one: word, caps and two
/// document-context tables, the character slot between them in the ids, and a CRF head.
/// </summary>
public class CharPrecomputeTests
{
    private const int Window = 5, Stride = 12, Tokens = 700, Lexicon = 90;

    private static readonly ModelConfig Config = new()
    {
        Window = Window,
        Hidden = [29],
        Output = OutputKind.Crf,
        Labels = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"],
        Features = [new FeatureSpec("word", 40, 11), new FeatureSpec("caps", 4, 3), new FeatureSpec("doc_caps", 5, 4), new FeatureSpec("doc_seq", 5, 4)],
        CharCnn = new CharCnnConfig(30, 5, 7, 3, 8, 2), // ids per token: word, caps, 8 characters, doc_caps, doc_seq
    };

    /// <summary>
    /// A token stream of words drawn (Zipf) from a lexicon whose entries share word ids (as unknown words share UUUNKKK)
    /// but not their characters, read as consecutive windows (B, C, 12), as tagging gathers them.
    /// </summary>
    private static int[] Stream(int seed)
    {
        var rng = new Random(seed);
        var lexicon = new int[Lexicon][];
        for (int e = 0; e < Lexicon; e++)
        {
            var token = new int[Stride];
            token[0] = e % 40;
            token[1] = rng.Next(4);
            int n = 1 + rng.Next(7); // ⟨w⟩, up to 5 characters, ⟨/w⟩, padding; the longest are cut at 8 ids
            token[2] = CharAlphabet.Begin;
            for (int j = 1; j < Math.Min(n, 7); j++) token[2 + j] = CharAlphabet.Reserved + rng.Next(26);
            if (n < 7) token[2 + n] = CharAlphabet.End;
            token[10] = rng.Next(5);
            token[11] = rng.Next(5);
            lexicon[e] = token;
        }
        var stream = new int[(Tokens + Window - 1) * Stride];
        for (int t = 0; t < Tokens + Window - 1; t++)
        {
            int e = Math.Min(Lexicon - 1, (int)Math.Exp(rng.NextDouble() * Math.Log(Lexicon)));
            lexicon[e].CopyTo(stream, t * Stride);
        }
        return stream;
    }

    private static WindowModel<float> Model()
    {
        var model = new WindowModel<float>(Config);
        model.Initialize(new Random(4), embeddingScale: 0.5);
        return model;
    }

    public static TheoryData<bool, int> Caches => new()
    {
        { false, 1 },      // one token: nearly every token multiplied out per batch
        { false, 10_000 }, // room for every token
        { true, 30 },      // filled on use, full early
        { true, 10_000 },  // filled on use, room for everything
    };

    [Theory]
    [MemberData(nameof(Caches))]
    public void Precomputed_words_give_the_plain_scores_and_tags(bool fillOnUse, int precompute)
    {
        var model = Model();
        var stream = Stream(8);
        var tagger = fillOnUse ? WindowTagger.FillOnUse(model, precompute) : new WindowTagger(model, precompute);
        const int batch = 64;
        var buffers = tagger.CreateBuffers(batch);
        var plain = model.CreateWorkspace(batch);
        var ids = new int[batch * Window * Stride];
        var fast = new int[batch];
        var reference = new int[batch];
        var confidence = new float[batch];
        for (int pass = 0; pass < 2; pass++) // the second pass finds what the first one cached
            for (int start = 0; start < Tokens; start += batch)
            {
                int b = Math.Min(batch, Tokens - start);
                for (int i = 0; i < b; i++) stream.AsSpan((start + i) * Stride, Window * Stride).CopyTo(ids.AsSpan(i * Window * Stride));
                tagger.Scores(buffers, ids, b);
                model.Scores(plain, ids, b);
                var s = buffers.Workspace.S;
                for (int i = 0; i < b * 5; i++)
                    Assert.True(Math.Abs(s[i] - plain.S[i]) <= 1e-5f * (1 + Math.Abs(plain.S[i])), $"window {start + i / 5}: {s[i]} vs {plain.S[i]}");
                int[] lengths = [b]; // the batch as one sentence: the CRF's Viterbi path over it
                model.DecodeSentences(buffers.Workspace, lengths, fast.AsSpan(0, b), confidence.AsSpan(0, b));
                model.DecodeSentences(plain, lengths, reference.AsSpan(0, b), confidence.AsSpan(0, b));
                Assert.Equal(reference.AsSpan(0, b).ToArray(), fast.AsSpan(0, b).ToArray());
            }
        Assert.InRange(tagger.Cached, 1, precompute);
    }

    [Fact]
    public void Each_distinct_token_is_multiplied_out_once_and_each_distinct_word_convolved_once()
    {
        var model = Model();
        var stream = Stream(9);
        var tokens = new HashSet<string>();
        var words = new HashSet<string>();
        var wordIds = new HashSet<int>();
        for (int t = 0; t < Tokens + Window - 1; t++)
        {
            tokens.Add(string.Join(',', stream.AsSpan(t * Stride, Stride).ToArray()));
            words.Add(string.Join(',', stream.AsSpan(t * Stride + 2, 8).ToArray()));
            wordIds.Add(stream[t * Stride]);
        }
        Assert.True(words.Count > wordIds.Count, "the lexicon has words that share a word id");
        var tagger = WindowTagger.FillOnUse(model, 10_000);
        var buffers = tagger.CreateBuffers(Tokens);
        var ids = Windows(stream);
        tagger.Scores(buffers, ids, Tokens);
        tagger.Scores(buffers, ids, Tokens);
        Assert.Equal(tokens.Count, tagger.Cached);
        Assert.Equal(words.Count, tagger.CachedWords);
        Assert.Equal(0, WindowTagger.FillOnUse(model, 10_000).Cached);
    }

    [Fact]
    public void A_full_cache_multiplies_the_other_tokens_out_per_batch()
    {
        var model = Model();
        var stream = Stream(11);
        var ids = Windows(stream);
        var tagger = WindowTagger.FillOnUse(model, 5);
        var buffers = tagger.CreateBuffers(Tokens);
        var plain = model.CreateWorkspace(Tokens);
        tagger.Scores(buffers, ids, Tokens);
        model.Scores(plain, ids, Tokens);
        Assert.Equal(5, tagger.Cached);
        for (int i = 0; i < Tokens * 5; i++)
            Assert.True(Math.Abs(buffers.Workspace.S[i] - plain.S[i]) <= 1e-5f * (1 + Math.Abs(plain.S[i])), $"score {i}");
    }

    [Fact]
    public void Threads_filling_one_cache_at_once_score_as_one_thread()
    {
        var model = Model();
        var stream = Stream(10);
        var ids = Windows(stream);
        var plain = model.CreateWorkspace(Tokens);
        model.Scores(plain, ids, Tokens);
        var reference = plain.S.AsSpan(0, Tokens * 5).ToArray();
        var one = WindowTagger.FillOnUse(model, 10_000); // one thread, one batch: each token's products made once
        var all = one.CreateBuffers(Tokens);
        one.Scores(all, ids, Tokens);
        var expected = all.Workspace.S.AsSpan(0, Tokens * 5).ToArray();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - reference[i]) <= 1e-5f * (1 + Math.Abs(reference[i])), $"score {i}: {expected[i]} vs {reference[i]}");
        for (int run = 0; run < 3; run++)
        {
            var tagger = WindowTagger.FillOnUse(model, 10_000);
            var scores = new float[Tokens * 5];
            const int batch = 50;
            Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, part =>
            {
                var buffers = tagger.CreateBuffers(batch);
                for (int start = part * batch; start < Tokens; start += 4 * batch)
                {
                    int b = Math.Min(batch, Tokens - start);
                    tagger.Scores(buffers, ids.AsSpan(start * Window * Stride, b * Window * Stride), b);
                    buffers.Workspace.S.AsSpan(0, b * 5).CopyTo(scores.AsSpan(start * 5));
                }
            });
            Assert.Equal(expected, scores); // a token's products do not depend on the batch or thread that made them
        }
    }

    /// <summary>Every window of the stream, (Tokens, C, 12).</summary>
    private static int[] Windows(int[] stream)
    {
        var ids = new int[Tokens * Window * Stride];
        for (int i = 0; i < Tokens; i++) stream.AsSpan(i * Stride, Window * Stride).CopyTo(ids.AsSpan(i * Window * Stride));
        return ids;
    }
}
