namespace Nerve.Training;

/// <summary>How to train; every field has a tuned default (see README).</summary>
public sealed record TrainOptions
{
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.AdaGrad;
    /// <summary>α.</summary>
    public double LearningRate { get; init; } = 0.05;
    /// <summary>SGD schedule: α_t = α / (1 + decay · epoch).</summary>
    public double LearningRateDecay { get; init; }
    /// <summary>λ in J = CE + λ/2 Σ‖W‖² (PA4 §3.6; biases and embeddings excluded).</summary>
    public double L2 { get; init; }
    public int Epochs { get; init; } = 4;
    /// <summary>Windows per update; 1 is PA4's SGD (§4.2).</summary>
    public int Batch { get; init; } = 1;
    public int Seed { get; init; } = 1;
    /// <summary>
    /// Workers for minibatches (data-parallel, deterministic for a given count); batch-1 SGD of one hidden layer splits
    /// the hidden units over them (<see cref="SgdPipeline"/>, deterministic for a given count) unless <see cref="Hogwild"/>.
    /// </summary>
    public int Threads { get; init; } = 1;
    /// <summary>
    /// Batch-1 SGD on <see cref="Threads"/> threads, each over its own slice of the shuffled windows, all writing the
    /// shared parameters without locks (HOGWILD!, Recht et al. 2011). Not deterministic for more than one thread: the
    /// updates race. Needs batch 1, SGD, no L2, dropout or clipping, and a softmax or sigmoid head (the fused step).
    /// </summary>
    public bool Hogwild { get; init; }
    /// <summary>Keep the word vectors as loaded (no updates to L).</summary>
    public bool FixEmbeddings { get; init; }
    /// <summary>Stop after this many epochs without a better dev F1; 0 trains all epochs.</summary>
    public int Patience { get; init; }
    /// <summary>Dropout on the window input x (Srivastava et al. 2014, inverted), 0 = off.</summary>
    public double InputDropout { get; init; }
    /// <summary>Dropout on every hidden layer's output, 0 = off.</summary>
    public double HiddenDropout { get; init; }
    /// <summary>Rescale each update's gradient to at most this L2 norm; 0 = off.</summary>
    public double ClipNorm { get; init; }
    /// <summary>
    /// Decay β of an exponential moving average of the parameters, θ̄ ← β θ̄ + (1 − β) θ every
    /// <see cref="Trainer.AverageEvery"/> training units (Polyak averaging of the iterates): the average, not the last
    /// iterate, is scored after each epoch and kept. 0 = off (not written to the options JSON, so models without it
    /// are unchanged).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public double Average { get; init; }

    public void Validate()
    {
        if (LearningRate <= 0 || !double.IsFinite(LearningRate)) throw new NerveException($"--lr must be a finite number > 0, found {LearningRate}");
        foreach (var (option, value) in new[] { ("--l2", L2), ("--lr-decay", LearningRateDecay), ("--clip", ClipNorm), ("--input-dropout", InputDropout), ("--hidden-dropout", HiddenDropout), ("--average", Average) })
            if (!double.IsFinite(value)) throw new NerveException($"{option} must be a finite number, found {value}");
        if (L2 < 0) throw new NerveException($"--l2 must be ≥ 0, found {L2}");
        if (LearningRateDecay < 0) throw new NerveException($"--lr-decay must be ≥ 0, found {LearningRateDecay}");
        if (Epochs < 1) throw new NerveException($"--epochs must be ≥ 1, found {Epochs}");
        if (Batch < 1) throw new NerveException($"--batch must be ≥ 1, found {Batch}");
        if (Threads < 1) throw new NerveException($"--threads must be ≥ 1, found {Threads}");
        if (Patience < 0) throw new NerveException($"--patience must be ≥ 0, found {Patience}");
        if (InputDropout < 0 || InputDropout >= 1) throw new NerveException($"--input-dropout must be in [0, 1), found {InputDropout}");
        if (HiddenDropout < 0 || HiddenDropout >= 1) throw new NerveException($"--hidden-dropout must be in [0, 1), found {HiddenDropout}");
        if (ClipNorm < 0) throw new NerveException($"--clip must be ≥ 0, found {ClipNorm}");
        if (Average < 0 || Average >= 1) throw new NerveException($"--average must be in [0, 1), found {Average}");
        // The lock-free threads run the fused per-window SGD step (WindowModel.SgdStep).
        if (Hogwild && FusedSgdObstacle() is { } found)
            throw new NerveException($"--hogwild needs batch-1 plain SGD (--batch 1 --optimizer sgd, no --l2, dropout or --clip), found {found}");
    }

    /// <summary>
    /// The first option that keeps training off the fused batch-1 SGD step (<see cref="Model.WindowModel{T}.SgdStep"/>,
    /// which has no L2, dropout, clipping or optimizer state), as the flag that set it; null when the step applies.
    /// </summary>
    internal string? FusedSgdObstacle() =>
        Batch != 1 ? $"--batch {Batch}" : Optimizer != OptimizerKind.Sgd ? $"--optimizer {Optimizer.ToString().ToLowerInvariant()}"
        : L2 > 0 ? $"--l2 {L2}" : InputDropout > 0 ? $"--input-dropout {InputDropout}" : HiddenDropout > 0 ? $"--hidden-dropout {HiddenDropout}"
        : ClipNorm > 0 ? $"--clip {ClipNorm}" : null;

    /// <summary>
    /// <see cref="Validate()"/>, plus what depends on the model and the gradient engine: --hogwild runs the hand-derived
    /// engine's fused step on single windows, so neither the CRF (whose units are sentences) nor the graph engine.
    /// </summary>
    public void Validate(Model.OutputKind output, bool manualEngine = true)
    {
        Validate();
        var head = Model.Heads.Traits(output);
        if (Hogwild && !head.PerWindow)
            throw new NerveException($"--hogwild needs a softmax or sigmoid head (its steps are single windows), found --output {head.Name}");
        if (Hogwild && !manualEngine)
            throw new NerveException("--hogwild needs the manual engine (its fused SGD step), found --engine graph");
    }
}
