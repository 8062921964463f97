using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nerve.Numerics;

/// <summary>
/// The dense kernels of the window network, row-major, accumulating (<c>+=</c>) like BLAS with beta = 1.
/// Floats go to the hand-written Vector512/Vector256 FMA kernels of <see cref="SimdKernels{TW, TV}"/> (the widest the
/// hardware accelerates); doubles, and vector dimensions shorter than a vector, take TensorPrimitives' Dot and
/// MultiplyAdd. <see cref="BlasReference{T}"/> is the plain scalar reference the tests hold both against.
/// </summary>
public static class Blas<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>y (m) += A (m, n) · x (n).</summary>
    public static void Gemv(Span<T> y, ReadOnlySpan<T> a, ReadOnlySpan<T> x, int m, int n)
    {
        if (typeof(T) == typeof(float))
        {
            BlasFloat.Gemv(Cast(y), Cast(a), Cast(x), m, n, SimdWidth.Auto);
            return;
        }
        PortableGemv(y, a, x, m, n);
    }

    internal static void PortableGemv(Span<T> y, ReadOnlySpan<T> a, ReadOnlySpan<T> x, int m, int n)
    {
        for (int i = 0; i < m; i++)
            y[i] += TensorPrimitives.Dot(a.Slice(i * n, n), x);
    }

    /// <summary>y (n) += Aᵀ · x, with A (m, n) and x (m).</summary>
    public static void GemvT(Span<T> y, ReadOnlySpan<T> a, ReadOnlySpan<T> x, int m, int n)
    {
        if (typeof(T) == typeof(float))
        {
            BlasFloat.GemvT(Cast(y), Cast(a), Cast(x), m, n, SimdWidth.Auto);
            return;
        }
        PortableGemvT(y, a, x, m, n);
    }

    internal static void PortableGemvT(Span<T> y, ReadOnlySpan<T> a, ReadOnlySpan<T> x, int m, int n)
    {
        for (int i = 0; i < m; i++)
        {
            T xi = x[i];
            if (xi != T.Zero)
                TensorPrimitives.MultiplyAdd(a.Slice(i * n, n), xi, y, y);
        }
    }

    /// <summary>A (m, n) += alpha · x (m) · yᵀ (n): the rank-1 update.</summary>
    public static void Ger(Span<T> a, T alpha, ReadOnlySpan<T> x, ReadOnlySpan<T> y, int m, int n)
    {
        if (typeof(T) == typeof(float))
        {
            BlasFloat.Ger(Cast(a), Unsafe.As<T, float>(ref alpha), Cast(x), Cast(y), m, n, SimdWidth.Auto);
            return;
        }
        PortableGer(a, alpha, x, y, m, n);
    }

    internal static void PortableGer(Span<T> a, T alpha, ReadOnlySpan<T> x, ReadOnlySpan<T> y, int m, int n)
    {
        for (int i = 0; i < m; i++)
        {
            T s = alpha * x[i];
            if (s != T.Zero)
            {
                var row = a.Slice(i * n, n);
                TensorPrimitives.MultiplyAdd(y, s, row, row);
            }
        }
    }

    /// <summary>
    /// y (n) += Aᵀ x with A (m, n) and x (m), then A += alpha · x vᵀ with v (n): <see cref="GemvT"/> followed by
    /// <see cref="Ger"/> on the same matrix in one pass over it (batch-1 backward fused with the SGD step).
    /// </summary>
    public static void GemvTGer(Span<T> a, Span<T> y, ReadOnlySpan<T> x, T alpha, ReadOnlySpan<T> v, int m, int n)
    {
        if (typeof(T) == typeof(float))
        {
            BlasFloat.GemvTGer(Cast(a), Cast(y), Cast(x), Unsafe.As<T, float>(ref alpha), Cast(v), m, n, SimdWidth.Auto);
            return;
        }
        PortableGemvTGer(a, y, x, alpha, v, m, n);
    }

    internal static void PortableGemvTGer(Span<T> a, Span<T> y, ReadOnlySpan<T> x, T alpha, ReadOnlySpan<T> v, int m, int n)
    {
        PortableGemvT(y, a, x, m, n);
        PortableGer(a, alpha, x, v, m, n);
    }

    /// <summary>
    /// y (n) += Aᵀ x at the old A, A (m, n) += x vᵀ, then z (m) += A u at the new A, in one pass over A: a layer's
    /// batch-1 backward and SGD update (v = −α a) fused with the next window's forward product (u its input).
    /// </summary>
    public static void GemvTGerGemv(Span<T> a, Span<T> y, ReadOnlySpan<T> x, ReadOnlySpan<T> v, Span<T> z, ReadOnlySpan<T> u, int m, int n)
    {
        if (typeof(T) == typeof(float))
        {
            BlasFloat.GemvTGerGemv(Cast(a), Cast(y), Cast(x), Cast(v), Cast(z), Cast(u), m, n, SimdWidth.Auto);
            return;
        }
        PortableGemvTGerGemv(a, y, x, v, z, u, m, n);
    }

    internal static void PortableGemvTGerGemv(Span<T> a, Span<T> y, ReadOnlySpan<T> x, ReadOnlySpan<T> v, Span<T> z, ReadOnlySpan<T> u, int m, int n)
    {
        PortableGemvTGer(a, y, x, T.One, v, m, n);
        PortableGemv(z, a, u, m, n);
    }

    /// <summary>C (m, n) += A (m, k) · Bᵀ, with B (n, k). The forward product z = x Wᵀ of a batch.</summary>
    public static void GemmNT(Span<T> c, ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int n, int k)
    {
        if (typeof(T) == typeof(float))
        {
            BlasFloat.GemmNT(Cast(c), Cast(a), Cast(b), m, n, k, SimdWidth.Auto);
            return;
        }
        PortableGemmNT(c, a, b, m, n, k);
    }

    internal static void PortableGemmNT(Span<T> c, ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int n, int k)
    {
        for (int i = 0; i < m; i++)
        {
            var ai = a.Slice(i * k, k);
            var ci = c.Slice(i * n, n);
            for (int j = 0; j < n; j++)
                ci[j] += TensorPrimitives.Dot(ai, b.Slice(j * k, k));
        }
    }

    /// <summary>C (m, n) += Aᵀ · B, with A (k, m) and B (k, n). The weight gradient dW = δᵀ x of a batch.</summary>
    public static void GemmTN(Span<T> c, ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int n, int k)
    {
        if (typeof(T) == typeof(float))
        {
            BlasFloat.GemmTN(Cast(c), Cast(a), Cast(b), m, n, k, SimdWidth.Auto);
            return;
        }
        PortableGemmTN(c, a, b, m, n, k);
    }

    internal static void PortableGemmTN(Span<T> c, ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int n, int k)
    {
        for (int p = 0; p < k; p++)
        {
            var bp = b.Slice(p * n, n);
            var ap = a.Slice(p * m, m);
            for (int i = 0; i < m; i++)
            {
                T s = ap[i];
                if (s != T.Zero)
                {
                    var ci = c.Slice(i * n, n);
                    TensorPrimitives.MultiplyAdd(bp, s, ci, ci);
                }
            }
        }
    }

    /// <summary>C (m, n) += A (m, k) · B (k, n). The input gradient dx = δ W of a batch.</summary>
    public static void GemmNN(Span<T> c, ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int n, int k)
    {
        if (typeof(T) == typeof(float))
        {
            BlasFloat.GemmNN(Cast(c), Cast(a), Cast(b), m, n, k, SimdWidth.Auto);
            return;
        }
        PortableGemmNN(c, a, b, m, n, k);
    }

    internal static void PortableGemmNN(Span<T> c, ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int n, int k)
    {
        for (int i = 0; i < m; i++)
        {
            var ci = c.Slice(i * n, n);
            var ai = a.Slice(i * k, k);
            for (int p = 0; p < k; p++)
            {
                T s = ai[p];
                if (s != T.Zero)
                    TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), s, ci, ci);
            }
        }
    }
    private static Span<float> Cast(Span<T> s) => MemoryMarshal.Cast<T, float>(s);

    private static ReadOnlySpan<float> Cast(ReadOnlySpan<T> s) => MemoryMarshal.Cast<T, float>(s);
}

/// <summary>Plain scalar loops: the reference every fast kernel in <see cref="Blas{T}"/> is tested against.</summary>
public static class BlasReference<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static void Gemv(Span<T> y, ReadOnlySpan<T> a, ReadOnlySpan<T> x, int m, int n)
    {
        for (int i = 0; i < m; i++)
        {
            T s = T.Zero;
            for (int j = 0; j < n; j++) s += a[i * n + j] * x[j];
            y[i] += s;
        }
    }

    public static void GemvT(Span<T> y, ReadOnlySpan<T> a, ReadOnlySpan<T> x, int m, int n)
    {
        for (int j = 0; j < n; j++)
        {
            T s = T.Zero;
            for (int i = 0; i < m; i++) s += a[i * n + j] * x[i];
            y[j] += s;
        }
    }

    public static void Ger(Span<T> a, T alpha, ReadOnlySpan<T> x, ReadOnlySpan<T> y, int m, int n)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                a[i * n + j] += alpha * x[i] * y[j];
    }

    public static void GemvTGer(Span<T> a, Span<T> y, ReadOnlySpan<T> x, T alpha, ReadOnlySpan<T> v, int m, int n)
    {
        GemvT(y, a, x, m, n);
        Ger(a, alpha, x, v, m, n);
    }

    public static void GemvTGerGemv(Span<T> a, Span<T> y, ReadOnlySpan<T> x, ReadOnlySpan<T> v, Span<T> z, ReadOnlySpan<T> u, int m, int n)
    {
        GemvTGer(a, y, x, T.One, v, m, n);
        Gemv(z, a, u, m, n);
    }

    public static void GemmNT(Span<T> c, ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int n, int k)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T s = T.Zero;
                for (int p = 0; p < k; p++) s += a[i * k + p] * b[j * k + p];
                c[i * n + j] += s;
            }
    }

    public static void GemmTN(Span<T> c, ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int n, int k)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T s = T.Zero;
                for (int p = 0; p < k; p++) s += a[p * m + i] * b[p * n + j];
                c[i * n + j] += s;
            }
    }

    public static void GemmNN(Span<T> c, ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int n, int k)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T s = T.Zero;
                for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
                c[i * n + j] += s;
            }
    }
}
