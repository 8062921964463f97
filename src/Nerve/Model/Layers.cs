using System.Numerics;
using System.Numerics.Tensors;
using Nerve.Numerics;

namespace Nerve.Model;

/// <summary>
/// Affine layer z = W x + b over a batch (seed: z = Wx + b1; PA4: s = Uh + b2).
/// Shapes: input (B, I), W (O, I) as in PA4, b (O), output (B, O).
/// </summary>
public static class Linear<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>output (B, O) = input (B, I) · Wᵀ + b.</summary>
    public static void Forward(Span<T> output, ReadOnlySpan<T> input, ReadOnlySpan<T> w, ReadOnlySpan<T> b, int batch, int inDim, int outDim)
    {
        for (int i = 0; i < batch; i++)
            b.CopyTo(output.Slice(i * outDim, outDim));
        if (batch == 1)
            Blas<T>.Gemv(output, w, input, outDim, inDim);
        else
            Blas<T>.GemmNT(output, input, w, batch, outDim, inDim);
    }

    /// <summary>
    /// With δ = ∂J/∂output (B, O): ∂J/∂W += δᵀ input (PA4 eq. 1d, 3a/3b), ∂J/∂b += Σ_batch δ (eq. 1c, 3c/3d),
    /// and, when <paramref name="dInput"/> is not empty, ∂J/∂input += δ W (eq. 1b/2c: Wᵀδ per example).
    /// </summary>
    public static void Backward(Span<T> dInput, Span<T> dW, Span<T> db, ReadOnlySpan<T> dOutput, ReadOnlySpan<T> input, ReadOnlySpan<T> w, int batch, int inDim, int outDim)
    {
        if (batch == 1)
        {
            Blas<T>.Ger(dW, T.One, dOutput, input, outDim, inDim);
            TensorPrimitives.Add(db, dOutput[..outDim], db);
            if (!dInput.IsEmpty)
                Blas<T>.GemvT(dInput, w, dOutput, outDim, inDim);
            return;
        }
        Blas<T>.GemmTN(dW, dOutput, input, outDim, inDim, batch);
        for (int i = 0; i < batch; i++)
            TensorPrimitives.Add(db, dOutput.Slice(i * outDim, outDim), db);
        if (!dInput.IsEmpty)
            Blas<T>.GemmNN(dInput, dOutput, w, batch, inDim, outDim);
    }
}

/// <summary>
/// The step from one layer's gradient to the next one down: δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ f′(z_l) (seed eq. 2b; δ2 from δ3
/// for one hidden layer). The caller has formed ∂J/∂h_l = W_{l+1}ᵀ δ_{l+1}, each path in its own fused kernel.
/// Shapes: all (B, H_l).
/// </summary>
public static class HiddenDelta<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// delta = dh ⊙ f′(z) from h = f(z); with a dropout <paramref name="mask"/> (empty: none) dh is first taken through
    /// it in place (h̃ = h ⊙ mask, so ∂J/∂h = ∂J/∂h̃ ⊙ mask).
    /// </summary>
    public static void Compute(Span<T> delta, Span<T> dh, ReadOnlySpan<T> mask, ReadOnlySpan<T> z, ReadOnlySpan<T> h, ActivationKind f)
    {
        if (!mask.IsEmpty) TensorPrimitives.Multiply(dh, mask, dh);
        delta.Clear();
        Activation<T>.Backward(delta, dh, z, h, f);
    }
}

/// <summary>One embedding table of the window input: Dim columns per slot starting at SlotOffset, its id at Column of a token's ids.</summary>
public readonly record struct EmbeddingSlot(ParameterBlock Table, int SlotOffset, int Column);

/// <summary>
/// The window lookup x = L[w(t−m)] ⊕ … ⊕ L[w(t+m)] (seed: x = x_{t−m} ⊕ ⋯ ⊕ x_{t+m}), for F feature tables per slot.
/// ids (B, C, F′) index the tables, F′ = <paramref name="stride"/> ids per token (0: one per table; more with the
/// character ids, which the tables skip); x (B, C·S) with S the slot width (Σ_f Dim_f, and the character filters).
/// </summary>
public static class WindowEmbedding<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static void Forward(Span<T> x, ReadOnlySpan<int> ids, ReadOnlySpan<T> values, ReadOnlySpan<EmbeddingSlot> tables, int batch, int window, int slotWidth, int stride = 0)
    {
        int f = tables.Length, ft = stride == 0 ? f : stride;
        for (int i = 0; i < batch; i++)
            for (int c = 0; c < window; c++)
            {
                var slot = x.Slice((i * window + c) * slotWidth, slotWidth);
                for (int k = 0; k < f; k++)
                {
                    var t = tables[k].Table;
                    int row = ids[(i * window + c) * ft + tables[k].Column];
                    values.Slice(t.Offset + row * t.Cols, t.Cols).CopyTo(slot.Slice(tables[k].SlotOffset, t.Cols));
                }
            }
    }

    /// <summary>
    /// ∂J/∂L[w] += the slot of ∂J/∂x that w filled, for table <paramref name="table"/> (PA4 eq. 3e; seed ∂J/∂L = Wᵀδ2 per word slot).
    /// The rows written are recorded in touched[table].
    /// </summary>
    public static unsafe void Backward(Span<T> gradients, ReadOnlySpan<T> dx, ReadOnlySpan<int> ids, ReadOnlySpan<EmbeddingSlot> tables, RowSet[] touched, int batch, int window, int slotWidth, int table, int stride = 0)
    {
        int f = stride == 0 ? tables.Length : stride, col = tables[table].Column;
        var t = tables[table].Table;
        var rows = touched[table];
        int bytes = t.Cols * sizeof(T);
        fixed (T* g0 = gradients)
        {
            for (int i = 0; i < batch; i++)
            {
                if (i + Prefetch.Ahead < batch) // a large table's rows lie far apart: ask for a later window's rows now
                    for (int c = 0; c < window; c++)
                        Prefetch.Lines(g0 + t.Offset + (long)ids[((i + Prefetch.Ahead) * window + c) * f + col] * t.Cols, bytes);
                for (int c = 0; c < window; c++)
                {
                    int row = ids[(i * window + c) * f + col];
                    var g = gradients.Slice(t.Offset + row * t.Cols, t.Cols);
                    TensorPrimitives.Add(g, dx.Slice((i * window + c) * slotWidth + tables[table].SlotOffset, t.Cols), g);
                    rows.Add(row);
                }
            }
        }
    }
}

/// <summary>
/// Softmax over K classes with cross-entropy: p = softmax(s), J = −log p_y (PA4 §3, 5-class version).
/// scores, probs (B, K); labels (B).
/// </summary>
public static class SoftmaxCrossEntropy<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Writes p and returns Σ_batch −log p_y, computed stably as logsumexp(s) − s_y.</summary>
    public static T Forward(Span<T> probs, ReadOnlySpan<T> scores, ReadOnlySpan<int> labels, int batch, int k)
    {
        T loss = T.Zero;
        for (int i = 0; i < batch; i++)
        {
            var s = scores.Slice(i * k, k);
            var p = probs.Slice(i * k, k);
            T max = TensorPrimitives.Max(s);
            T sum = T.Zero;
            for (int j = 0; j < k; j++)
            {
                p[j] = T.Exp(s[j] - max);
                sum += p[j];
            }
            TensorPrimitives.Divide(p, sum, p);
            if (!labels.IsEmpty)
                loss += max + T.Log(sum) - s[labels[i]];
        }
        return loss;
    }

    /// <summary>∂J/∂s += scale · (p − y) (PA4 eq. 2a: δ3 = p − y).</summary>
    public static void Backward(Span<T> dScores, ReadOnlySpan<T> probs, ReadOnlySpan<int> labels, int batch, int k, T scale)
    {
        for (int i = 0; i < batch; i++)
        {
            var d = dScores.Slice(i * k, k);
            var p = probs.Slice(i * k, k);
            for (int j = 0; j < k; j++) d[j] += scale * p[j];
            d[labels[i]] -= scale;
        }
    }
}

/// <summary>
/// PA4's binary head: p = σ(s) for the positive class against O, J = −[y log p + (1 − y) log(1 − p)].
/// scores, probs (B, 1); labels (B) with 1 = positive.
/// </summary>
public static class SigmoidCrossEntropy<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Writes p and returns the summed loss, computed stably as max(s, 0) − y·s + log(1 + e^−|s|).</summary>
    public static T Forward(Span<T> probs, ReadOnlySpan<T> scores, ReadOnlySpan<int> labels, int batch)
    {
        T loss = T.Zero;
        for (int i = 0; i < batch; i++)
        {
            T s = scores[i];
            probs[i] = T.One / (T.One + T.Exp(-s));
            if (!labels.IsEmpty)
            {
                T y = labels[i] == 1 ? T.One : T.Zero;
                loss += T.Max(s, T.Zero) - y * s + T.Log(T.One + T.Exp(-T.Abs(s)));
            }
        }
        return loss;
    }

    /// <summary>∂J/∂s += scale · (p − y) (seed eq. 2a).</summary>
    public static void Backward(Span<T> dScores, ReadOnlySpan<T> probs, ReadOnlySpan<int> labels, int batch, T scale)
    {
        for (int i = 0; i < batch; i++)
            dScores[i] += scale * (probs[i] - (labels[i] == 1 ? T.One : T.Zero));
    }
}
