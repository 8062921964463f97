using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Nerve.Model;

/// <summary>What a head is, independent of precision: how the trainer, the label builder and the tagger treat it.</summary>
/// <param name="Name">Lowercase, as <c>--output</c> spells it.</param>
/// <param name="Binary">Labels are [negative, positive]: one output unit, a tag is class 1 when it is the positive one, else 0.</param>
/// <param name="SentenceUnits">The loss couples the windows of a sentence (a lattice), so a training unit is a sentence, not a window.</param>
/// <param name="ChunkLabels">The head learns transitions between chunk labels, so it trains on BIOES labels (IO corpora keep IO).</param>
public sealed record HeadTraits(string Name, bool Binary, bool SentenceUnits, bool ChunkLabels)
{
    /// <summary>Each window's loss stands alone, so batch-1 SGD may fuse its backward pass into the update (hogwild, the pipeline).</summary>
    public bool PerWindow => !SentenceUnits;
}

/// <summary>
/// The output head over the window scores s (B, K) in a workspace: the loss J and p (or the marginals) in Forward, ∂J/∂s
/// in Backward, the predicted classes in Decode. A model holds one, built by <see cref="Heads.Create{T}"/>; a head with
/// parameters of its own (the CRF's transitions) declares them in <see cref="Heads.Layout"/> and accumulates their
/// gradient in <see cref="Backward"/>.
/// </summary>
public interface IHead<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    HeadTraits Traits { get; }

    /// <summary>K, the output units (1 for the binary head).</summary>
    int Width { get; }

    /// <summary>The head as a per-window loss (its span kernels), or null when its loss couples windows (the CRF).</summary>
    IWindowHead<T>? PerWindow { get; }

    /// <summary>
    /// p (B, K) into ws.P from ws.S and the summed loss Σ_batch J against <paramref name="labels"/> (empty: only p).
    /// For a sentence head the batch is ONE sentence and p holds the marginals P(y_t = j).
    /// </summary>
    T Forward(WindowModel<T>.Workspace ws, ReadOnlySpan<int> labels, int batch);

    /// <summary>
    /// After <see cref="Forward"/>: ws.DS += scale · ∂J/∂s, and the head's own parameter gradients (in the layout of
    /// the model's parameters) += scale · ∂J/∂θ_head.
    /// </summary>
    void Backward(WindowModel<T>.Workspace ws, ReadOnlySpan<int> labels, int batch, T scale, Span<T> gradients);

    /// <summary>After <see cref="Forward"/> without labels: each window's class and its probability (the marginal for the CRF).</summary>
    void Decode(WindowModel<T>.Workspace ws, int batch, Span<int> classes, Span<T> confidence);

    /// <summary>Forward and <see cref="Decode"/> for whole sentences whose scores are in ws.S, lengths in batch order.</summary>
    void DecodeSentences(WindowModel<T>.Workspace ws, ReadOnlySpan<int> lengths, Span<int> classes, Span<T> confidence);

    /// <summary>After <see cref="Forward"/>: P(class) per window (B, K): softmax, σ(s), or the CRF's marginals P(y_t = j).</summary>
    ReadOnlySpan<T> Marginals(WindowModel<T>.Workspace ws, int batch);

    /// <summary>Each window's class from its raw scores (B, K) alone, without p (softmax and σ are monotone).</summary>
    void Classify(ReadOnlySpan<T> scores, int batch, Span<int> classes);
}

/// <summary>A head whose loss is a sum over windows: its span kernels, which the fused per-window SGD steps call directly.</summary>
public interface IWindowHead<T> : IHead<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>p (B, K) from s (B, K); returns Σ_batch J against <paramref name="labels"/> (empty: only p).</summary>
    T Forward(Span<T> p, ReadOnlySpan<T> s, ReadOnlySpan<int> labels, int batch);

    /// <summary>∂J/∂s += scale · (p − y) (seed eq. 2a: δ3 = p − y).</summary>
    void Backward(Span<T> ds, ReadOnlySpan<T> p, ReadOnlySpan<int> labels, int batch, T scale);
}

/// <summary>The shared part of the heads whose loss is a sum over windows.</summary>
public abstract class WindowHead<T>(int width) : IWindowHead<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public abstract HeadTraits Traits { get; }

    public int Width { get; } = width;

    public IWindowHead<T> PerWindow => this;

    IWindowHead<T>? IHead<T>.PerWindow => this;

    public abstract T Forward(Span<T> p, ReadOnlySpan<T> s, ReadOnlySpan<int> labels, int batch);

    public abstract void Backward(Span<T> ds, ReadOnlySpan<T> p, ReadOnlySpan<int> labels, int batch, T scale);

    public abstract void Decode(WindowModel<T>.Workspace ws, int batch, Span<int> classes, Span<T> confidence);

    public abstract void Classify(ReadOnlySpan<T> scores, int batch, Span<int> classes);

    public T Forward(WindowModel<T>.Workspace ws, ReadOnlySpan<int> labels, int batch)
        => Forward(ws.P.AsSpan(0, batch * Width), ws.S.AsSpan(0, batch * Width), labels, batch);

    public void Backward(WindowModel<T>.Workspace ws, ReadOnlySpan<int> labels, int batch, T scale, Span<T> gradients)
        => Backward(ws.DS.AsSpan(0, batch * Width), ws.P.AsSpan(0, batch * Width), labels, batch, scale);

    public void DecodeSentences(WindowModel<T>.Workspace ws, ReadOnlySpan<int> lengths, Span<int> classes, Span<T> confidence)
    {
        int batch = 0;
        foreach (int n in lengths) batch += n;
        Forward(ws, [], batch); // every window alone: the whole batch at once
        Decode(ws, batch, classes, confidence);
    }

    public ReadOnlySpan<T> Marginals(WindowModel<T>.Workspace ws, int batch) => ws.P.AsSpan(0, batch * Width);
}

/// <summary>Softmax over K classes with cross-entropy (<see cref="SoftmaxCrossEntropy{T}"/>); decodes to argmax p.</summary>
public sealed class SoftmaxHead<T>(int classes) : WindowHead<T>(classes) where T : unmanaged, IFloatingPointIeee754<T>
{
    public static readonly HeadTraits Info = new("softmax", Binary: false, SentenceUnits: false, ChunkLabels: false);

    public override HeadTraits Traits => Info;

    public override T Forward(Span<T> p, ReadOnlySpan<T> s, ReadOnlySpan<int> labels, int batch)
        => SoftmaxCrossEntropy<T>.Forward(p, s, labels, batch, Width);

    public override void Backward(Span<T> ds, ReadOnlySpan<T> p, ReadOnlySpan<int> labels, int batch, T scale)
        => SoftmaxCrossEntropy<T>.Backward(ds, p, labels, batch, Width, scale); // δ3 = p − y (eq. 2a)

    public override void Decode(WindowModel<T>.Workspace ws, int batch, Span<int> classes, Span<T> confidence)
    {
        int k = Width;
        for (int i = 0; i < batch; i++)
        {
            var row = ws.P.AsSpan(i * k, k);
            int best = TensorPrimitives.IndexOfMax<T>(row);
            classes[i] = best;
            confidence[i] = row[best];
        }
    }

    public override void Classify(ReadOnlySpan<T> scores, int batch, Span<int> classes)
    {
        int k = Width;
        for (int i = 0; i < batch; i++) classes[i] = TensorPrimitives.IndexOfMax<T>(scores.Slice(i * k, k));
    }
}

/// <summary>PA4's binary head: p = σ(s) for the positive class against the rest (<see cref="SigmoidCrossEntropy{T}"/>); decodes p &gt; ½.</summary>
public sealed class SigmoidHead<T>() : WindowHead<T>(1) where T : unmanaged, IFloatingPointIeee754<T>
{
    public static readonly HeadTraits Info = new("sigmoid", Binary: true, SentenceUnits: false, ChunkLabels: false);

    private static readonly T Half = T.One / T.CreateTruncating(2);

    public override HeadTraits Traits => Info;

    public override T Forward(Span<T> p, ReadOnlySpan<T> s, ReadOnlySpan<int> labels, int batch)
        => SigmoidCrossEntropy<T>.Forward(p, s, labels, batch);

    public override void Backward(Span<T> ds, ReadOnlySpan<T> p, ReadOnlySpan<int> labels, int batch, T scale)
        => SigmoidCrossEntropy<T>.Backward(ds, p, labels, batch, scale);

    public override void Decode(WindowModel<T>.Workspace ws, int batch, Span<int> classes, Span<T> confidence)
    {
        for (int i = 0; i < batch; i++)
        {
            T p = ws.P[i];
            classes[i] = p > Half ? 1 : 0;
            confidence[i] = p > Half ? p : T.One - p;
        }
    }

    public override void Classify(ReadOnlySpan<T> scores, int batch, Span<int> classes)
    {
        for (int i = 0; i < batch; i++) classes[i] = scores[i] > T.Zero ? 1 : 0;
    }
}

/// <summary>
/// Sentence-level log-likelihood over the window scores (Collobert et al. 2011 §3.3.2), the math in <see cref="Crf{T}"/>:
/// a batch is one sentence; its parameters are the transitions A (K, K), a0 (K) and an (K); decodes by Viterbi.
/// </summary>
public sealed class CrfHead<T> : IHead<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static readonly HeadTraits Info = new("crf", Binary: false, SentenceUnits: true, ChunkLabels: true);

    private readonly Parameters<T> _p;
    private readonly ParameterBlock _a, _a0, _an;

    public CrfHead(int classes, Parameters<T> parameters)
    {
        Width = classes;
        _p = parameters;
        _a = parameters["A"];
        _a0 = parameters["a0"];
        _an = parameters["an"];
    }

    /// <summary>The head's parameter blocks: transitions, not regularised, updated densely.</summary>
    public static IEnumerable<(string, ParameterKind, int, int)> Layout(int k) =>
    [
        ("A", ParameterKind.Transition, k, k), // (K, K) transitions i → j
        ("a0", ParameterKind.Transition, 1, k), // (K) start
        ("an", ParameterKind.Transition, 1, k), // (K) end
    ];

    public HeadTraits Traits => Info;

    public int Width { get; }

    public IWindowHead<T>? PerWindow => null;

    /// <summary>The transitions A (K, K), row i → column j.</summary>
    public ReadOnlySpan<T> Transitions => _p.Value(_a);

    /// <summary>The start scores a0 (K).</summary>
    public ReadOnlySpan<T> Start => _p.Value(_a0);

    /// <summary>The end scores an (K).</summary>
    public ReadOnlySpan<T> End => _p.Value(_an);

    public T Forward(WindowModel<T>.Workspace ws, ReadOnlySpan<int> labels, int batch)
    {
        ws.LogZ = Lattice(ws, 0, batch, labels, out T loss);
        return loss;
    }

    public void Backward(WindowModel<T>.Workspace ws, ReadOnlySpan<int> labels, int batch, T scale, Span<T> gradients)
    {
        int k = Width, len = batch * k;
        Crf<T>.Backward(ws.DS.AsSpan(0, len), gradients.Slice(_a.Offset, _a.Length), gradients.Slice(_a0.Offset, _a0.Length), gradients.Slice(_an.Offset, _an.Length),
            ws.P.AsSpan(0, len), ws.Alpha.AsSpan(0, len), ws.Beta.AsSpan(0, len), ws.S.AsSpan(0, len), _p.Value(_a), ws.LogZ, labels, batch, k, scale);
    }

    public void Decode(WindowModel<T>.Workspace ws, int batch, Span<int> classes, Span<T> confidence) => Viterbi(ws, 0, batch, classes, confidence);

    /// <summary>The forward–backward marginals and Viterbi on each sentence's rows of the scores, so many sentences share one forward pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void DecodeSentences(WindowModel<T>.Workspace ws, ReadOnlySpan<int> lengths, Span<int> classes, Span<T> confidence)
    {
        int at = 0;
        foreach (int n in lengths)
        {
            if (n == 0) continue;
            Lattice(ws, at, n, [], out _);
            Viterbi(ws, at, n, classes[at..], confidence[at..]);
            at += n;
        }
    }

    public ReadOnlySpan<T> Marginals(WindowModel<T>.Workspace ws, int batch) => ws.P.AsSpan(0, batch * Width);

    /// <summary>Each window's best class by its own scores (no transitions).</summary>
    public void Classify(ReadOnlySpan<T> scores, int batch, Span<int> classes)
    {
        int k = Width;
        for (int i = 0; i < batch; i++) classes[i] = TensorPrimitives.IndexOfMax<T>(scores.Slice(i * k, k));
    }

    /// <summary>The forward–backward on windows [at, at + n) of the workspace, one sentence: marginals into P; returns log Z.</summary>
    private T Lattice(WindowModel<T>.Workspace ws, int at, int n, ReadOnlySpan<int> labels, out T loss)
    {
        int k = Width, from = at * k, len = n * k;
        return Crf<T>.Forward(ws.P.AsSpan(from, len), ws.Alpha.AsSpan(from, len), ws.Beta.AsSpan(from, len), ws.S.AsSpan(from, len),
            _p.Value(_a), _p.Value(_a0), _p.Value(_an), labels, n, k, out loss);
    }

    /// <summary>Viterbi over windows [at, at + n) (after <see cref="Lattice"/>): classes[0 … n) and their marginals as confidence.</summary>
    private void Viterbi(WindowModel<T>.Workspace ws, int at, int n, Span<int> classes, Span<T> confidence)
    {
        int k = Width, from = at * k, len = n * k;
        Crf<T>.Viterbi(classes[..n], ws.Alpha.AsSpan(from, len), ws.Backpointers.AsSpan(from, len), ws.S.AsSpan(from, len),
            _p.Value(_a), _p.Value(_a0), _p.Value(_an), n, k);
        for (int i = 0; i < n; i++) confidence[i] = ws.P[from + i * k + classes[i]];
    }
}
