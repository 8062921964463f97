using System.Numerics;
using System.Numerics.Tensors;

namespace Nerve.Autodiff;

/// <summary>The primitives the linear-chain CRF needs on the graph, and the CRF loss built from them.</summary>
public static partial class Ops
{
    /// <summary>eᵃ elementwise; (eᵃ)′ = eᵃ, read from the output.</summary>
    public static Node<T> Exp<T>(Node<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Node<T>(a.Rank, a.Rows, a.Cols, "exp", [a], n =>
        {
            if (a.RequiresGrad) TensorPrimitives.MultiplyAdd(n.Grad, n.Data, a.Grad, a.Grad);
        });
        TensorPrimitives.Exp(a.Data, y.Data);
        return y;
    }

    /// <summary>log a elementwise; (log a)′ = 1/a.</summary>
    public static Node<T> Log<T>(Node<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Node<T>(a.Rank, a.Rows, a.Cols, "log", [a], n =>
        {
            if (!a.RequiresGrad) return;
            for (int i = 0; i < a.Length; i++) a.Grad[i] += n.Grad[i] / a.Data[i];
        });
        TensorPrimitives.Log(a.Data, y.Data);
        return y;
    }

    /// <summary>a + c for a scalar node c added to every element: + distributes, and c collects the sum.</summary>
    public static Node<T> AddScalar<T>(Node<T> a, Node<T> c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (c.Length != 1) throw new ArgumentException($"AddScalar needs a scalar, found {c.Describe()}", nameof(c));
        var y = new Node<T>(a.Rank, a.Rows, a.Cols, "+c", [a, c], n =>
        {
            if (a.RequiresGrad) TensorPrimitives.Add(a.Grad, n.Grad, a.Grad);
            if (c.RequiresGrad) c.Grad[0] += TensorPrimitives.Sum<T>(n.Grad);
        });
        TensorPrimitives.Add(a.Data, c.Data[0], y.Data);
        return y;
    }

    /// <summary>Elements start … start + length − 1 of a (row-major) as a vector: row t of s is Slice(s, t·K, K).</summary>
    public static Node<T> Slice<T>(Node<T> a, int start, int length) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (start < 0 || length < 1 || start + length > a.Length) throw new ArgumentOutOfRangeException(nameof(start));
        var y = new Node<T>(1, 1, length, "[a:b]", [a], n =>
        {
            if (!a.RequiresGrad) return;
            var g = a.Grad.Slice(start, length);
            TensorPrimitives.Add(g, n.Grad, g);
        });
        a.Data.Slice(start, length).CopyTo(y.Data);
        return y;
    }

    /// <summary>Column j of a row-major (rows × cols) buffer as a vector.</summary>
    public static Node<T> Column<T>(Node<T> a, int j, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = a.Length / cols;
        if (j < 0 || j >= cols || rows * cols != a.Length) throw new ArgumentOutOfRangeException(nameof(j));
        var y = new Node<T>(1, 1, rows, "[:,j]", [a], n =>
        {
            if (a.RequiresGrad)
                for (int i = 0; i < rows; i++) a.Grad[i * cols + j] += n.Grad[i];
        });
        for (int i = 0; i < rows; i++) y.Data[i] = a.Data[i * cols + j];
        return y;
    }

    /// <summary>
    /// log Σ eᵛ, built from primitives and kept stable by the max: m + log Σ e^(v − m). The max routes a gradient of
    /// 1 − Σ softmax(v) = 0 to its argmax, so the result's gradient is softmax(v), as it should be.
    /// </summary>
    public static Node<T> LogSumExp<T>(Node<T> v) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var m = MaxOver(v);
        return Add(m, Log(Sum(Exp(AddScalar(v, Negate(m))))));
    }

    /// <summary>
    /// The CRF's J = log Z − score(y) for one sentence (Collobert et al. 2011 §3.3.2) from primitives: the forward
    /// algorithm α_t[j] = s[t, j] + logsumexp_i(α_{t−1}[i] + A[i, j]) unrolled over the sentence, log Z =
    /// logsumexp(α_{n−1} + an), and score(y) a sum of picked elements. s (n, K); A (K·K, row-major i → j); a0, an (K).
    /// </summary>
    public static Node<T> CrfLoss<T>(Node<T> s, Node<T> a, Node<T> a0, Node<T> an, ReadOnlySpan<int> y, int n, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var alpha = Add(a0, Slice(s, 0, k));
        for (int t = 1; t < n; t++)
        {
            var parts = new Node<T>[k];
            for (int j = 0; j < k; j++)
                parts[j] = Reshape(Add(LogSumExp(Add(alpha, Column(a, j, k))), Element(s, t * k + j)), 1, 1, 1);
            alpha = Concat(parts);
        }
        var logZ = LogSumExp(Add(alpha, an));
        var score = Add(Element(a0, y[0]), Element(an, y[n - 1]));
        for (int t = 0; t < n; t++)
        {
            score = Add(score, Element(s, t * k + y[t]));
            if (t > 0) score = Add(score, Element(a, y[t - 1] * k + y[t]));
        }
        return Subtract(logZ, score);
    }
}
