using System.Numerics;

namespace Nerve.Model;

/// <summary>
/// A way to compute the loss of a batch of windows and its gradient with respect to a <see cref="WindowModel{T}"/>'s
/// parameters: the hand-derived backward pass (<see cref="ManualBackprop{T}"/>) or a computation graph. Both write the
/// same flat gradient layout, so the trainer and the gradient check take either.
/// </summary>
public interface IBackprop<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The model whose parameters are differentiated.</summary>
    WindowModel<T> Model { get; }

    /// <summary>
    /// Whether batch-1 plain SGD may take the fused per-window step (<see cref="WindowModel{T}.SgdStep"/>) instead of
    /// this engine: true for the hand-derived engine, whose backward pass that step is; false for a second opinion.
    /// </summary>
    bool Fusable { get; }

    /// <summary>
    /// Returns Σ_batch CE and accumulates (+=) into <paramref name="gradients"/> the gradient of
    /// J = scale · Σ_batch CE + λ/2 Σ‖W‖², recording the embedding rows it wrote in <paramref name="touched"/>
    /// (only for the tables with <paramref name="trainTable"/> set). ids (B, C, F), labels (B).
    /// </summary>
    T LossAndGradient(ReadOnlySpan<int> ids, ReadOnlySpan<int> labels, int batch, T scale, T l2, Span<T> gradients, RowSet[] touched, ReadOnlySpan<bool> trainTable);

    /// <summary>Dropout for the following calls (0 = off): on the window input x and on every hidden layer's output.</summary>
    void SetDropout(double input, double hidden, ulong seed);
}

/// <summary>The hand-derived engine (for the CRF head a batch is one sentence): <see cref="WindowModel{T}.Forward"/> then <see cref="WindowModel{T}.Backward"/> on a reused workspace.</summary>
public sealed class ManualBackprop<T>(WindowModel<T> model, int maxBatch) : IBackprop<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly WindowModel<T>.Workspace _ws = model.CreateWorkspace(maxBatch);

    public WindowModel<T> Model => model;

    public bool Fusable => true;

    public void SetDropout(double input, double hidden, ulong seed) => _ws.SetDropout(input, hidden, seed);

    public T LossAndGradient(ReadOnlySpan<int> ids, ReadOnlySpan<int> labels, int batch, T scale, T l2, Span<T> gradients, RowSet[] touched, ReadOnlySpan<bool> trainTable)
    {
        T loss = model.Forward(_ws, ids, labels, batch);
        model.Backward(_ws, ids, labels, batch, scale, l2, gradients, touched, trainTable);
        return loss;
    }
}
