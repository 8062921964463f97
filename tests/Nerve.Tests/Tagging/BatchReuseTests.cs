using Nerve.Corpus;
using Nerve.Features;
using Nerve.Model;
using Nerve.Tagging;

namespace Nerve.Tests.Tagging;

/// <summary>
/// <see cref="ModelTagging.PredictBatch"/> (eval and raw text, a batch at a time) keeps its window storage and buffers
/// from batch to batch: a stream's later batches allocate their results, not their windows again.
/// </summary>
public sealed class BatchReuseTests
{
    private static NerModel NewModel(List<Sentence> train)
    {
        var vocab = Vocabulary.BuildFromCorpus(train, 1, lowercase: true);
        var featurizer = Featurizer.Build(vocab, new FeatureOptions { Caps = true, DocContext = 3, Chars = new CharOptions { Dim = 5, Filters = 4, MaxLength = 40 } }, train);
        var a = featurizer.Chars!;
        var config = new ModelConfig
        {
            Window = 7, Hidden = [16], Labels = ["O", "I-LOC", "I-PER"], Features = featurizer.Specs(8),
            CharCnn = new CharCnnConfig(a.Size, 5, 4, 3, a.MaxLength, featurizer.CharColumn),
        };
        var net = new WindowModel<float>(config);
        net.Initialize(new Random(3), 0.5);
        return new NerModel(net, featurizer, TagScheme.IOB1, TagScheme.IOB1);
    }

    [Fact]
    public void Later_batches_tag_as_fresh_calls_do_and_allocate_no_window_ids()
    {
        var corpus = Synthetic.Corpus(400, 7);
        var model = NewModel(corpus);
        int at = 0;
        foreach (int size in new[] { 200, 100, 100 }) // the first batch's storage holds the others
        {
            var batch = corpus.GetRange(at, size);
            var fresh = model.Predict(batch); // its own windows, buffers and tagger
            long before = GC.GetAllocatedBytesForCurrentThread();
            var p = model.PredictBatch(batch);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            for (int s = 0; s < size; s++)
            {
                Assert.Equal(fresh.Tags[s], p.Tags[s]);
                Assert.Equal(fresh.Confidence[s], p.Confidence[s]);
            }
            long tokens = batch.Sum(s => (long)s.Count), ids = (tokens + 6L * batch.Count) * model.Featurizer.Count * sizeof(int);
            if (at > 0) Assert.True(allocated < ids, $"{allocated} bytes allocated for a batch whose window ids take {ids}");
            at += size;
        }
    }
}
