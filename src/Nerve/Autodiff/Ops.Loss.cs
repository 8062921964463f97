using System.Numerics;

namespace Nerve.Autodiff;

public static partial class Ops
{
    /// <summary>
    /// Σ_rows −log softmax(s)_y for scores (B, K) (or one vector of K) and B labels, fused and stable:
    /// CE = logsumexp(s) − s_y with logsumexp(s) = max + log Σ e^(s − max). Backward: ∂CE/∂s = p − y (PA4 eq. 2a).
    /// </summary>
    public static Node<T> SoftmaxCrossEntropy<T>(Node<T> scores, int[] labels) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = scores.Cols, batch = scores.Length / k;
        if (scores.Rank == 0 || labels.Length != batch)
            throw new ArgumentException($"{labels.Length} labels for a {scores.Describe()} of scores");
        var p = new T[scores.Length];
        var y = new Node<T>(0, 1, 1, "softmax-CE", [scores], n =>
        {
            if (!scores.RequiresGrad) return;
            T g = n.Grad[0];
            var ds = scores.Grad;
            for (int i = 0; i < batch; i++)
            {
                for (int j = 0; j < k; j++) ds[i * k + j] += g * p[i * k + j];
                ds[i * k + labels[i]] -= g;
            }
        });
        ReadOnlySpan<T> s = scores.Data;
        T loss = T.Zero;
        for (int i = 0; i < batch; i++)
        {
            if ((uint)labels[i] >= (uint)k) throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"label outside the {k} classes");
            var si = s.Slice(i * k, k);
            T max = si[0];
            foreach (T v in si) max = T.Max(max, v);
            T sum = T.Zero;
            for (int j = 0; j < k; j++)
            {
                p[i * k + j] = T.Exp(si[j] - max);
                sum += p[i * k + j];
            }
            for (int j = 0; j < k; j++) p[i * k + j] /= sum;
            loss += max + T.Log(sum) - si[labels[i]];
        }
        y.Data[0] = loss;
        return y;
    }

    /// <summary>
    /// Σ_rows −[y log σ(s) + (1 − y) log(1 − σ(s))] for one score per row (label 1 = positive), fused and stable:
    /// max(s, 0) − y·s + log(1 + e^−|s|). Backward: ∂/∂s = σ(s) − y (seed: δ3 = p_θ − y).
    /// </summary>
    public static Node<T> SigmoidCrossEntropy<T>(Node<T> scores, int[] labels) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (labels.Length != scores.Length || (scores.Rank == 2 && scores.Cols != 1))
            throw new ArgumentException($"{labels.Length} labels for a {scores.Describe()} of scores (one score per label)");
        var p = new T[scores.Length];
        var y = new Node<T>(0, 1, 1, "sigmoid-CE", [scores], n =>
        {
            if (!scores.RequiresGrad) return;
            T g = n.Grad[0];
            var ds = scores.Grad;
            for (int i = 0; i < p.Length; i++) ds[i] += g * (p[i] - (labels[i] == 1 ? T.One : T.Zero));
        });
        ReadOnlySpan<T> s = scores.Data;
        T loss = T.Zero;
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = T.One / (T.One + T.Exp(-s[i]));
            T target = labels[i] == 1 ? T.One : T.Zero;
            loss += T.Max(s[i], T.Zero) - target * s[i] + T.Log(T.One + T.Exp(-T.Abs(s[i])));
        }
        y.Data[0] = loss;
        return y;
    }
}
