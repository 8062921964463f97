using System.Numerics;

namespace Nerve.Model;

/// <summary>
/// The one place that maps <see cref="OutputKind"/> to a head: its traits, its parameter blocks and the head itself.
/// Everything else asks the head (or its <see cref="HeadTraits"/>).
/// </summary>
public static class Heads
{
    /// <summary>What the head of this kind is (label scheme, units, fused steps), without building one.</summary>
    public static HeadTraits Traits(OutputKind kind) => kind switch
    {
        OutputKind.Softmax => SoftmaxHead<float>.Info,
        OutputKind.Sigmoid => SigmoidHead<float>.Info,
        OutputKind.Crf => CrfHead<float>.Info,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no such head"),
    };

    /// <summary>The head's own parameter blocks, which follow U and b(n+1) in the model's layout.</summary>
    public static IEnumerable<(string, ParameterKind, int, int)> Layout(ModelConfig config)
        => config.Output == OutputKind.Crf ? CrfHead<float>.Layout(config.OutputDim) : [];

    /// <summary>The head of <paramref name="config"/> over <paramref name="parameters"/> (laid out with <see cref="Layout"/>).</summary>
    public static IHead<T> Create<T>(ModelConfig config, Parameters<T> parameters) where T : unmanaged, IFloatingPointIeee754<T> => config.Output switch
    {
        OutputKind.Softmax => new SoftmaxHead<T>(config.OutputDim),
        OutputKind.Sigmoid => new SigmoidHead<T>(),
        OutputKind.Crf => new CrfHead<T>(config.OutputDim, parameters),
        _ => throw new ArgumentOutOfRangeException(nameof(config), config.Output, "no such head"),
    };
}
