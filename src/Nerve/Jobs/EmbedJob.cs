using Nerve.Embed;

namespace Nerve.Jobs;

/// <summary>What `nerve embed` does: the text files to read, where to write the vectors, and how to train them.</summary>
public sealed record EmbedJobOptions
{
    public required IReadOnlyList<EmbedInput> Inputs { get; init; }
    /// <summary>Vectors in word2vec text format; gzipped if the name ends in .gz.</summary>
    public required string OutputPath { get; init; }
    public SkipGramOptions Training { get; init; } = new();
    /// <summary>Where to write the n-gram rows that compose vectors for unknown words (<see cref="Vectors.SubwordTable"/>), or null.</summary>
    public string? SubwordsPath { get; init; }
    /// <summary>Most n-gram buckets kept in <see cref="SubwordsPath"/>.</summary>
    public int SubwordRows { get; init; } = DefaultSubwordRows;

    public const int DefaultSubwordRows = 50_000;
}

/// <summary>How an embedding job reports: once the corpus is read, then as training goes.</summary>
public interface IEmbedProgress
{
    void CorpusRead(EmbedCorpus corpus);

    void Progress(SkipGramProgress progress);

    /// <summary>Training is over; the vectors are saved next.</summary>
    void Trained();
}

/// <summary>The trained vectors and the last progress report (speed, loss, elapsed time).</summary>
public sealed record EmbedJobResult(SkipGramModel Model, SkipGramProgress Final);

/// <summary>Skip-gram vectors with subword n-grams from raw text, saved to <see cref="EmbedJobOptions.OutputPath"/>.</summary>
public static class EmbedJob
{
    public static EmbedJobResult Run(EmbedJobOptions o, IEmbedProgress? progress = null, CancellationToken cancel = default)
    {
        if (o.Inputs.Count == 0)
            throw new NerveException("embed: give at least one --input or --tokens file");
        o.Training.Validate();
        foreach (var input in o.Inputs) IO.InputFile.Check(input.Path);
        IO.AtomicFile.CheckTarget(o.OutputPath, "--output", o.Inputs.Select(i => ((string?)i.Path, "--input")).ToArray());
        if (o.SubwordsPath is not null)
        {
            IO.AtomicFile.CheckTarget(o.SubwordsPath, "--subwords", [.. o.Inputs.Select(i => ((string?)i.Path, "--input")), (o.OutputPath, "--output")]);
            if (!o.Training.UsesSubwords) throw new NerveException("--subwords needs n-grams: leave out --maxn 0 and --buckets 0");
            if (o.SubwordRows < 1) throw new NerveException($"--subword-rows must be ≥ 1, found {o.SubwordRows}");
        }

        var corpus = EmbedCorpus.Read(o.Inputs, o.Training.Lowercase, o.Training.MinCount);
        progress?.CorpusRead(corpus);
        SkipGramProgress final = default;
        var model = SkipGramTrainer.Train(corpus, o.Training, p =>
        {
            final = p;
            progress?.Progress(p);
        }, cancel);
        progress?.Trained();
        model.Save(o.OutputPath);
        if (o.SubwordsPath is not null) model.NGramTable(o.SubwordRows).Save(o.SubwordsPath);
        return new EmbedJobResult(model, final);
    }
}
