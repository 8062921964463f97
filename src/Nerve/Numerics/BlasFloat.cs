using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nerve.Numerics;

/// <summary>
/// The float path of <see cref="Blas{T}"/>: checks the shapes, then dispatches Vector512 → Vector256 (with FMA) → portable.
/// A width can be forced (tests run both); a vector dimension shorter than the chosen vector drops to the next width.
/// </summary>
internal static class BlasFloat
{
    /// <summary>The widest accelerated width on this machine.</summary>
    public static SimdWidth Best { get; } =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? SimdWidth.V512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? SimdWidth.V256
        : SimdWidth.Scalar;

    /// <summary>The width to use for vectors of length <paramref name="n"/> when <paramref name="wanted"/> is asked for.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static SimdWidth Pick(SimdWidth wanted, int n)
    {
        var w = wanted == SimdWidth.Auto || wanted > Best ? Best : wanted;
        if (w == SimdWidth.V512 && n < 16) w = SimdWidth.V256;
        if (w == SimdWidth.V256 && (n < 8 || Best == SimdWidth.Scalar)) w = SimdWidth.Scalar;
        return w;
    }

    private static void Need(int have, long need, string name)
    {
        if (have < need) throw new ArgumentException($"span of {have} values, the shape needs {need}", name);
    }

    public static void Gemv(Span<float> y, ReadOnlySpan<float> a, ReadOnlySpan<float> x, int m, int n, SimdWidth width)
    {
        Need(y.Length, m, nameof(y)); Need(a.Length, (long)m * n, nameof(a)); Need(x.Length, n, nameof(x));
        if (width == SimdWidth.Auto && IntraOp.Current is { } team && ParallelBlas.Gemv(team, y, a, x, m, n)) return;
        switch (Pick(width, n))
        {
            case SimdWidth.V512: SimdKernels<W512, Vector512<float>>.Gemv(y, a, x, m, n, n); break;
            case SimdWidth.V256: SimdKernels<W256, Vector256<float>>.Gemv(y, a, x, m, n, n); break;
            default: Blas<float>.PortableGemv(y, a, x, m, n); break;
        }
    }

    /// <summary>y (m) += A x for the (m, n) block of a matrix whose rows are <paramref name="lda"/> ≥ n apart (a column slice).</summary>
    public static void GemvStrided(Span<float> y, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> x, int m, int n, SimdWidth width)
    {
        if (lda < n) throw new ArgumentOutOfRangeException(nameof(lda), $"row stride {lda} is less than the {n} columns");
        Need(y.Length, m, nameof(y)); Need(a.Length, m == 0 ? 0 : (long)(m - 1) * lda + n, nameof(a)); Need(x.Length, n, nameof(x));
        switch (Pick(width, n))
        {
            case SimdWidth.V512: SimdKernels<W512, Vector512<float>>.Gemv(y, a, x, m, n, lda); break;
            case SimdWidth.V256: SimdKernels<W256, Vector256<float>>.Gemv(y, a, x, m, n, lda); break;
            default:
                for (int i = 0; i < m; i++) y[i] += System.Numerics.Tensors.TensorPrimitives.Dot(a.Slice(i * lda, n), x[..n]);
                break;
        }
    }

    public static void GemvT(Span<float> y, ReadOnlySpan<float> a, ReadOnlySpan<float> x, int m, int n, SimdWidth width)
    {
        Need(y.Length, n, nameof(y)); Need(a.Length, (long)m * n, nameof(a)); Need(x.Length, m, nameof(x));
        switch (Pick(width, n))
        {
            case SimdWidth.V512: SimdKernels<W512, Vector512<float>>.GemvT(y, a, x, m, n); break;
            case SimdWidth.V256: SimdKernels<W256, Vector256<float>>.GemvT(y, a, x, m, n); break;
            default: Blas<float>.PortableGemvT(y, a, x, m, n); break;
        }
    }

    public static void Ger(Span<float> a, float alpha, ReadOnlySpan<float> x, ReadOnlySpan<float> y, int m, int n, SimdWidth width)
    {
        Need(a.Length, (long)m * n, nameof(a)); Need(x.Length, m, nameof(x)); Need(y.Length, n, nameof(y));
        if (width == SimdWidth.Auto && IntraOp.Current is { } team && ParallelBlas.Ger(team, a, alpha, x, y, m, n)) return;
        switch (Pick(width, n))
        {
            case SimdWidth.V512: SimdKernels<W512, Vector512<float>>.Ger(a, alpha, x, y, m, n); break;
            case SimdWidth.V256: SimdKernels<W256, Vector256<float>>.Ger(a, alpha, x, y, m, n); break;
            default: Blas<float>.PortableGer(a, alpha, x, y, m, n); break;
        }
    }

    /// <summary>z (n) += Σ_r src[offsets[r] … offsets[r] + n).</summary>
    public static void AddRows(Span<float> z, ReadOnlySpan<float> src, ReadOnlySpan<int> offsets, int n, SimdWidth width)
    {
        Need(z.Length, n, nameof(z));
        foreach (int o in offsets)
            if (o < 0 || (long)o + n > src.Length) throw new ArgumentOutOfRangeException(nameof(offsets), "a row lies outside the source");
        switch (Pick(width, n))
        {
            case SimdWidth.V512: SimdKernels<W512, Vector512<float>>.AddRows(z, src, offsets, n); break;
            case SimdWidth.V256: SimdKernels<W256, Vector256<float>>.AddRows(z, src, offsets, n); break;
            default:
                foreach (int o in offsets) System.Numerics.Tensors.TensorPrimitives.Add(z[..n], src.Slice(o, n), z[..n]);
                break;
        }
    }

    /// <summary>z (n) = bias + Σ_r rows[r][0 … n), in row order; every pointer addresses n pinned floats.</summary>
    public static unsafe void SumRows(float* z, float* bias, ReadOnlySpan<nint> rows, int n, SimdWidth width)
    {
        switch (Pick(width, n))
        {
            case SimdWidth.V512: SimdKernels<W512, Vector512<float>>.SumRows(z, bias, rows, n); break;
            case SimdWidth.V256: SimdKernels<W256, Vector256<float>>.SumRows(z, bias, rows, n); break;
            default:
                for (int j = 0; j < n; j++)
                {
                    float a = bias[j];
                    foreach (nint p in rows) a += ((float*)p)[j];
                    z[j] = a;
                }
                break;
        }
    }

    public static void GemvTGer(Span<float> a, Span<float> y, ReadOnlySpan<float> x, float alpha, ReadOnlySpan<float> v, int m, int n, SimdWidth width)
    {
        Need(a.Length, (long)m * n, nameof(a)); Need(y.Length, n, nameof(y)); Need(x.Length, m, nameof(x)); Need(v.Length, n, nameof(v));
        switch (Pick(width, n))
        {
            case SimdWidth.V512: SimdKernels<W512, Vector512<float>>.GemvTGer(a, y, x, alpha, v, m, n); break;
            case SimdWidth.V256: SimdKernels<W256, Vector256<float>>.GemvTGer(a, y, x, alpha, v, m, n); break;
            default: Blas<float>.PortableGemvTGer(a, y, x, alpha, v, m, n); break;
        }
    }

    public static void GemvTGerGemv(Span<float> a, Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> v, Span<float> z, ReadOnlySpan<float> u, int m, int n, SimdWidth width)
    {
        Need(a.Length, (long)m * n, nameof(a)); Need(y.Length, n, nameof(y)); Need(x.Length, m, nameof(x)); Need(v.Length, n, nameof(v));
        Need(z.Length, m, nameof(z)); Need(u.Length, n, nameof(u));
        var w = Pick(width, n);
        if (w == SimdWidth.V512 && n < 64) w = Pick(SimdWidth.V256, n); // the kernel runs blocks of 4 vectors
        if (w == SimdWidth.V256 && n < 32) w = SimdWidth.Scalar;
        switch (w)
        {
            case SimdWidth.V512: SimdKernels<W512, Vector512<float>>.GemvTGerGemv(a, y, x, v, z, u, m, n); break;
            case SimdWidth.V256: SimdKernels<W256, Vector256<float>>.GemvTGerGemv(a, y, x, v, z, u, m, n); break;
            default: Blas<float>.PortableGemvTGerGemv(a, y, x, v, z, u, m, n); break;
        }
    }

    /// <summary>
    /// C (m, n) += A (m, k) Bᵀ, B (n, k). Long rows (k ≥ 4 vectors) take the dot-product kernel on A and B as they lie;
    /// otherwise wide outputs pack Bᵀ (k, n) once into a per-thread buffer and run the broadcast kernel, and narrow ones
    /// (the K-class output layer) are one <see cref="Gemv"/> per row of A.
    /// </summary>
    public static void GemmNT(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k, SimdWidth width)
    {
        Need(c.Length, (long)m * n, nameof(c)); Need(a.Length, (long)m * k, nameof(a)); Need(b.Length, (long)n * k, nameof(b));
        var w = Pick(width, n);
        var wk = Pick(width, k);
        if (m >= 2 && n >= 4 && wk != SimdWidth.Scalar && k >= 4 * (wk == SimdWidth.V512 ? 16 : 8))
        {
            // Long rows: dot products of B's rows as they lie, no transposed copy (see GemmNTDot), which is faster than
            // packing Bᵀ at these shapes, from a sentence's first layer to the output layer.
            if (width == SimdWidth.Auto && IntraOp.Current is { } team && ParallelBlas.GemmNTDot(team, c, a, b, m, n, k)) return;
            if (wk == SimdWidth.V512) SimdKernels<W512, Vector512<float>>.GemmNTDot(c, a, b, m, n, k);
            else SimdKernels<W256, Vector256<float>>.GemmNTDot(c, a, b, m, n, k);
            return;
        }
        if (m >= 4 && w != SimdWidth.Scalar && n >= 2 * (w == SimdWidth.V512 ? 16 : 8))
        {
            var bt = PackBuffer(k * n);
            for (int j = 0; j < n; j++)
            {
                var row = b.Slice(j * k, k);
                for (int p = 0; p < k; p++) bt[p * n + j] = row[p];
            }
            if (w == SimdWidth.V512) SimdKernels<W512, Vector512<float>>.GemmStrided(c, a, k, 1, bt, m, n, k);
            else SimdKernels<W256, Vector256<float>>.GemmStrided(c, a, k, 1, bt, m, n, k);
            return;
        }
        if (Pick(width, k) == SimdWidth.Scalar)
        {
            Blas<float>.PortableGemmNT(c, a, b, m, n, k);
            return;
        }
        for (int i = 0; i < m; i++)
            Gemv(c.Slice(i * n, n), b, a.Slice(i * k, k), n, k, width); // C[i, :] += B · A[i, :]
    }

    /// <summary>C (m, n) += Aᵀ B, A (k, m), B (k, n).</summary>
    public static void GemmTN(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k, SimdWidth width)
    {
        Need(c.Length, (long)m * n, nameof(c)); Need(a.Length, (long)m * k, nameof(a)); Need(b.Length, (long)n * k, nameof(b));
        if (width == SimdWidth.Auto && Pick(width, n) != SimdWidth.Scalar && IntraOp.Current is { } team && ParallelBlas.GemmStrided(team, c, a, 1, m, b, m, n, k)) return;
        switch (Pick(width, n))
        {
            case SimdWidth.V512: SimdKernels<W512, Vector512<float>>.GemmStrided(c, a, 1, m, b, m, n, k); break;
            case SimdWidth.V256: SimdKernels<W256, Vector256<float>>.GemmStrided(c, a, 1, m, b, m, n, k); break;
            default: Blas<float>.PortableGemmTN(c, a, b, m, n, k); break;
        }
    }

    /// <summary>C (m, n) += A (m, k) B, B (k, n).</summary>
    public static void GemmNN(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k, SimdWidth width)
    {
        Need(c.Length, (long)m * n, nameof(c)); Need(a.Length, (long)m * k, nameof(a)); Need(b.Length, (long)n * k, nameof(b));
        if (width == SimdWidth.Auto && Pick(width, n) != SimdWidth.Scalar && IntraOp.Current is { } team && ParallelBlas.GemmStrided(team, c, a, k, 1, b, m, n, k)) return;
        switch (Pick(width, n))
        {
            case SimdWidth.V512: SimdKernels<W512, Vector512<float>>.GemmStrided(c, a, k, 1, b, m, n, k); break;
            case SimdWidth.V256: SimdKernels<W256, Vector256<float>>.GemmStrided(c, a, k, 1, b, m, n, k); break;
            default: Blas<float>.PortableGemmNN(c, a, b, m, n, k); break;
        }
    }

    [ThreadStatic]
    private static float[]? t_pack;

    /// <summary>A per-thread scratch buffer of at least <paramref name="length"/> floats, grown rarely, so steady state allocates nothing.</summary>
    private static Span<float> PackBuffer(int length)
    {
        if (t_pack is null || t_pack.Length < length) t_pack = new float[Math.Max(length, 4096)];
        return t_pack.AsSpan(0, length);
    }
}
