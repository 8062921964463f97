using System.Globalization;

namespace Nerve.Embed;

/// <summary>
/// Hyperparameters of <see cref="SkipGramTrainer"/>. The defaults are fastText's skipgram defaults
/// (Bojanowski et al. 2017) except <see cref="Dim"/> = 50, the size of Nerve's word vectors.
/// </summary>
public sealed record SkipGramOptions
{
    /// <summary>Vector dimension.</summary>
    public int Dim { get; init; } = 50;
    /// <summary>Maximum context distance; each centre word draws its own window uniformly from 1..Window (Mikolov et al. 2013).</summary>
    public int Window { get; init; } = 5;
    public int Epochs { get; init; } = 5;
    /// <summary>Words seen fewer times are dropped from the vocabulary and from the training text.</summary>
    public int MinCount { get; init; } = 2;
    /// <summary>Negative samples per (centre, context) pair.</summary>
    public int Negatives { get; init; } = 5;
    /// <summary>Shortest character n-gram; n-grams are taken over "&lt;word&gt;".</summary>
    public int MinN { get; init; } = 3;
    /// <summary>Longest character n-gram; 0 turns subwords off (plain word2vec skip-gram).</summary>
    public int MaxN { get; init; } = 6;
    /// <summary>Rows that n-grams are hashed into.</summary>
    public int Buckets { get; init; } = 2_000_000;
    /// <summary>Initial learning rate, decayed linearly to 0 over all epochs.</summary>
    public float LearningRate { get; init; } = 0.05f;
    /// <summary>Subsampling threshold t: a word of frequency f is kept with probability √(t/f) + t/f (fastText's form of Mikolov et al. 2013).</summary>
    public double Sample { get; init; } = 1e-4;
    /// <summary>Lowercase tokens before counting (the shared vectors were trained lowercased).</summary>
    public bool Lowercase { get; init; } = true;
    public int Seed { get; init; } = 1;
    /// <summary>Hogwild worker threads; 1 gives a deterministic result for a given seed.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>True when words get character n-gram rows.</summary>
    public bool UsesSubwords => MaxN > 0 && Buckets > 0;

    /// <summary>Throws a <see cref="NerveException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        Require(Dim >= 1, "dim", Dim, "≥ 1");
        Require(Window >= 1, "window", Window, "≥ 1");
        Require(Epochs >= 1, "epochs", Epochs, "≥ 1");
        Require(MinCount >= 1, "min-count", MinCount, "≥ 1");
        Require(Negatives >= 1, "negatives", Negatives, "≥ 1");
        Require(Buckets >= 0, "buckets", Buckets, "≥ 0");
        Require(MaxN >= 0, "maxn", MaxN, "≥ 0");
        if (MaxN > 0)
            Require(MinN >= 1 && MinN <= MaxN, "minn", MinN, $"between 1 and maxn = {MaxN.ToString(CultureInfo.InvariantCulture)}");
        Require(Threads >= 1, "threads", Threads, "≥ 1");
        if (!(LearningRate > 0 && float.IsFinite(LearningRate)))
            throw new NerveException($"--lr must be a finite number > 0, found {LearningRate.ToString(CultureInfo.InvariantCulture)}");
        if (!(Sample >= 0 && double.IsFinite(Sample)))
            throw new NerveException($"--sample must be a number ≥ 0, found {Sample.ToString(CultureInfo.InvariantCulture)}");
        if ((long)Dim * Buckets > Array.MaxLength)
            throw new NerveException($"--buckets {Buckets.ToString(CultureInfo.InvariantCulture)} × --dim {Dim.ToString(CultureInfo.InvariantCulture)} is more than one array can hold");
    }

    private static void Require(bool ok, string name, int value, string expected)
    {
        if (!ok)
            throw new NerveException($"--{name} must be {expected}, found {value.ToString(CultureInfo.InvariantCulture)}");
    }
}
