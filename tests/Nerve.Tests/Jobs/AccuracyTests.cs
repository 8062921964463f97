using Nerve.Corpus;
using Nerve.Evaluation;
using Nerve.Model;
using Nerve.Jobs;
using Nerve.Training;

namespace Nerve.Tests.Jobs;

/// <summary>
/// The PA4 acceptance figures, trained with `nerve train`'s defaults on the bundled data: these guard against any change that
/// quietly breaks learning (a wrong gradient, a bad default, a scoring slip).
/// </summary>
[Trait("Category", "Acceptance")]
public sealed class AccuracyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nerve-acc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Data(params string[] parts) => Path.Combine([Path.GetDirectoryName(Fixtures.Path())!, "..", "data", .. parts]);

    private static readonly string Vectors = Data("embeddings", "fasttext-skipgram50.reuters-brown-nlpcorpus-conlltrainA.vec.gz");

    [Fact]
    public void Pa4_five_class_reaches_87_5_raw_dev_F1_with_the_defaults()
    {
        var (model, result) = TrainJob.Run(new TrainJobOptions
        {
            TrainPath = Data("pa4", "train"),
            DevPath = Data("pa4", "dev"),
            Format = CorpusFormat.Pa4,
            EmbeddingsPath = Vectors,
            ModelPath = Path.Combine(_dir, "pa4.nerve"),
        });
        Assert.Equal(TagScheme.IO, model.Scheme);
        Assert.True(result.BestF1 >= 87.5, $"dev F1 {result.BestF1:F2}");
        // The saved model scores the same when loaded and evaluated as `nerve eval --raw` does.
        var dev = CorpusReader.Read(Data("pa4", "dev"), CorpusFormat.Pa4);
        var loaded = NerModel.Load(Path.Combine(_dir, "pa4.nerve"));
        Assert.Equal(result.BestF1, ModelEvaluation.Run(loaded, dev.Sentences, raw: true).Phrases.F1, 6);
    }

    [Fact]
    public void Pa4_binary_person_reaches_90_raw_dev_F1_with_the_defaults()
    {
        var (_, result) = TrainJob.Run(new TrainJobOptions
        {
            TrainPath = Data("pa4", "binary_person_2012", "train"),
            DevPath = Data("pa4", "binary_person_2012", "dev"),
            Format = CorpusFormat.Pa4,
            EmbeddingsPath = Vectors,
            Output = OutputKind.Sigmoid,
            Positive = "PERSON",
            ModelPath = Path.Combine(_dir, "bin.nerve"),
        });
        Assert.True(result.BestF1 >= 90.0, $"dev F1 {result.BestF1:F2}");
    }
}
