using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nerve.Numerics;

/// <summary>Which vector width the float kernels use; <see cref="Auto"/> picks the widest the hardware accelerates.</summary>
internal enum SimdWidth
{
    Auto,
    Scalar,
    V256,
    V512,
}

/// <summary>
/// One vector width as static abstract members, so each kernel below is written once and the JIT specialises it per
/// width (struct type arguments are compiled separately and the calls inline).
/// </summary>
internal interface IWidth<TV> where TV : struct
{
    static abstract int Count { get; }
    static abstract TV Zero { get; }
    static abstract TV Load(ref float p, nuint i);
    static abstract void Store(TV v, ref float p, nuint i);
    static abstract TV Splat(float x);
    /// <summary>a · b + c with one rounding.</summary>
    static abstract TV Fma(TV a, TV b, TV c);
    static abstract TV Add(TV a, TV b);
    static abstract TV And(TV a, TV mask);
    static abstract float Sum(TV v);
    /// <summary>Lanes [Count − rem, Count) set: the new elements of a tail chunk loaded at n − Count, overlapping the previous chunk.</summary>
    static abstract TV TailMask(int rem);
}

internal readonly struct W512 : IWidth<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;
    public static Vector512<float> Zero => Vector512<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(ref float p, nuint i) => Vector512.LoadUnsafe(ref p, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> v, ref float p, nuint i) => v.StoreUnsafe(ref p, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Splat(float x) => Vector512.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> And(Vector512<float> a, Vector512<float> mask) => a & mask;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector512<float> v) => Vector512.Sum(v);
    public static Vector512<float> TailMask(int rem) => Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(MaskTable.Bits), (nuint)(16 - Count + rem));
}

internal readonly struct W256 : IWidth<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;
    public static Vector256<float> Zero => Vector256<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(ref float p, nuint i) => Vector256.LoadUnsafe(ref p, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> v, ref float p, nuint i) => v.StoreUnsafe(ref p, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Splat(float x) => Vector256.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> And(Vector256<float> a, Vector256<float> mask) => a & mask;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector256<float> v) => Vector256.Sum(v);
    public static Vector256<float> TailMask(int rem) => Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(MaskTable.Bits), (nuint)(16 - Count + rem));
}

internal static class MaskTable
{
    /// <summary>16 zero lanes then 16 all-ones lanes; a window of Count lanes at 16 − Count + rem sets the last rem.</summary>
    public static readonly float[] Bits = [.. Enumerable.Repeat(0f, 16), .. Enumerable.Repeat(BitConverter.Int32BitsToSingle(-1), 16)];
}

/// <summary>
/// Register-blocked float kernels for one vector width. Every kernel needs its vector dimension ≥ Count: a ragged end is
/// handled by one more chunk at n − Count whose overlapping lanes are masked to zero, so no scalar tail loop remains.
/// Same contracts as <see cref="Blas{T}"/>; <see cref="BlasReference{T}"/> is their reference.
/// </summary>
internal static class SimdKernels<TW, TV> where TW : struct, IWidth<TV> where TV : struct
{
    /// <summary>y (m) += A (m, n) · x (n), n ≥ Count, rows of A <paramref name="lda"/> apart: four rows share each load of x.</summary>
    public static void Gemv(Span<float> y, ReadOnlySpan<float> a, ReadOnlySpan<float> x, int m, int n, int lda)
    {
        int w = TW.Count, full = n / w * w, rem = n - full;
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rx = ref MemoryMarshal.GetReference(x);
        TV tail = rem == 0 ? TW.Zero : TW.And(TW.Load(ref rx, (nuint)(n - w)), TW.TailMask(rem));
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            nuint r0 = (nuint)i * (nuint)lda, r1 = r0 + (nuint)lda, r2 = r1 + (nuint)lda, r3 = r2 + (nuint)lda;
            TV s0 = TW.Zero, s1 = TW.Zero, s2 = TW.Zero, s3 = TW.Zero;
            for (int j = 0; j < full; j += w)
            {
                var xv = TW.Load(ref rx, (nuint)j);
                s0 = TW.Fma(TW.Load(ref ra, r0 + (nuint)j), xv, s0);
                s1 = TW.Fma(TW.Load(ref ra, r1 + (nuint)j), xv, s1);
                s2 = TW.Fma(TW.Load(ref ra, r2 + (nuint)j), xv, s2);
                s3 = TW.Fma(TW.Load(ref ra, r3 + (nuint)j), xv, s3);
            }
            if (rem != 0)
            {
                nuint t = (nuint)(n - w);
                s0 = TW.Fma(TW.Load(ref ra, r0 + t), tail, s0);
                s1 = TW.Fma(TW.Load(ref ra, r1 + t), tail, s1);
                s2 = TW.Fma(TW.Load(ref ra, r2 + t), tail, s2);
                s3 = TW.Fma(TW.Load(ref ra, r3 + t), tail, s3);
            }
            y[i] += TW.Sum(s0);
            y[i + 1] += TW.Sum(s1);
            y[i + 2] += TW.Sum(s2);
            y[i + 3] += TW.Sum(s3);
        }
        for (; i < m; i++)
        {
            nuint r = (nuint)i * (nuint)lda;
            TV s = TW.Zero;
            for (int j = 0; j < full; j += w)
                s = TW.Fma(TW.Load(ref ra, r + (nuint)j), TW.Load(ref rx, (nuint)j), s);
            if (rem != 0) s = TW.Fma(TW.Load(ref ra, r + (nuint)(n - w)), tail, s);
            y[i] += TW.Sum(s);
        }
    }

    /// <summary>y (n) += Aᵀ x, A (m, n), n ≥ Count: four column chunks of y stay in registers over all m rows.</summary>
    public static void GemvT(Span<float> y, ReadOnlySpan<float> a, ReadOnlySpan<float> x, int m, int n)
    {
        int w = TW.Count, full = n / w * w, rem = n - full;
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float ry = ref MemoryMarshal.GetReference(y);
        int j = 0;
        for (; j + 4 * w <= full; j += 4 * w)
        {
            nuint c = (nuint)j, cw = (nuint)w;
            TV y0 = TW.Load(ref ry, c), y1 = TW.Load(ref ry, c + cw), y2 = TW.Load(ref ry, c + 2 * cw), y3 = TW.Load(ref ry, c + 3 * cw);
            for (int i = 0; i < m; i++)
            {
                var xi = TW.Splat(x[i]);
                nuint r = (nuint)(i * n) + c;
                y0 = TW.Fma(TW.Load(ref ra, r), xi, y0);
                y1 = TW.Fma(TW.Load(ref ra, r + cw), xi, y1);
                y2 = TW.Fma(TW.Load(ref ra, r + 2 * cw), xi, y2);
                y3 = TW.Fma(TW.Load(ref ra, r + 3 * cw), xi, y3);
            }
            TW.Store(y0, ref ry, c);
            TW.Store(y1, ref ry, c + cw);
            TW.Store(y2, ref ry, c + 2 * cw);
            TW.Store(y3, ref ry, c + 3 * cw);
        }
        for (; j < full; j += w)
        {
            TV y0 = TW.Load(ref ry, (nuint)j);
            for (int i = 0; i < m; i++)
                y0 = TW.Fma(TW.Load(ref ra, (nuint)(i * n + j)), TW.Splat(x[i]), y0);
            TW.Store(y0, ref ry, (nuint)j);
        }
        if (rem != 0)
        {
            nuint t = (nuint)(n - w);
            TV s = TW.Zero;
            for (int i = 0; i < m; i++)
                s = TW.Fma(TW.Load(ref ra, (nuint)(i * n) + t), TW.Splat(x[i]), s);
            TW.Store(TW.Add(TW.Load(ref ry, t), TW.And(s, TW.TailMask(rem))), ref ry, t);
        }
    }

    /// <summary>A (m, n) += alpha · x yᵀ, n ≥ Count.</summary>
    public static void Ger(Span<float> a, float alpha, ReadOnlySpan<float> x, ReadOnlySpan<float> y, int m, int n)
    {
        int w = TW.Count, full = n / w * w, rem = n - full;
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float ry = ref MemoryMarshal.GetReference(y);
        TV tail = rem == 0 ? TW.Zero : TW.And(TW.Load(ref ry, (nuint)(n - w)), TW.TailMask(rem));
        for (int i = 0; i < m; i++)
        {
            float si = alpha * x[i];
            if (si == 0f) continue;
            var s = TW.Splat(si);
            ref float row = ref Unsafe.Add(ref ra, i * n);
            int j = 0;
            for (; j + 2 * w <= full; j += 2 * w)
            {
                nuint c = (nuint)j, cw = (nuint)w;
                TW.Store(TW.Fma(TW.Load(ref ry, c), s, TW.Load(ref row, c)), ref row, c);
                TW.Store(TW.Fma(TW.Load(ref ry, c + cw), s, TW.Load(ref row, c + cw)), ref row, c + cw);
            }
            for (; j < full; j += w)
                TW.Store(TW.Fma(TW.Load(ref ry, (nuint)j), s, TW.Load(ref row, (nuint)j)), ref row, (nuint)j);
            if (rem != 0)
            {
                nuint t = (nuint)(n - w);
                TW.Store(TW.Fma(tail, s, TW.Load(ref row, t)), ref row, t);
            }
        }
    }

    /// <summary>z (n) += Σ_r src[offsets[r] … offsets[r] + n), n ≥ Count: a sum of rows kept in registers, one store per chunk.</summary>
    public static void AddRows(Span<float> z, ReadOnlySpan<float> src, ReadOnlySpan<int> offsets, int n)
    {
        int w = TW.Count, full = n / w * w, rem = n - full;
        ref float rz = ref MemoryMarshal.GetReference(z);
        ref float rs = ref MemoryMarshal.GetReference(src);
        for (int j = 0; j < full; j += w)
        {
            TV acc = TW.Load(ref rz, (nuint)j);
            foreach (int o in offsets) acc = TW.Add(acc, TW.Load(ref rs, (nuint)(o + j)));
            TW.Store(acc, ref rz, (nuint)j);
        }
        if (rem != 0)
        {
            nuint t = (nuint)(n - w);
            TV acc = TW.Zero;
            foreach (int o in offsets) acc = TW.Add(acc, TW.Load(ref rs, (nuint)o + t));
            TW.Store(TW.Add(TW.Load(ref rz, t), TW.And(acc, TW.TailMask(rem))), ref rz, t);
        }
    }

    /// <summary>
    /// z (n) = bias + Σ_r rows[r][0 … n), n ≥ Count, summed in row order: the precomputed first layer of the tagger
    /// (Chen &amp; Manning 2014), four vectors of z per pass over the rows. The rows may live in different pinned arrays.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void SumRows(float* z, float* bias, ReadOnlySpan<nint> rows, int n)
    {
        int w = TW.Count, full = n / w * w;
        ref float rz = ref *z;
        ref float rb = ref *bias;
        int j = 0;
        for (; j + 4 * w <= full; j += 4 * w)
        {
            nuint c0 = (nuint)j, c1 = c0 + (nuint)w, c2 = c1 + (nuint)w, c3 = c2 + (nuint)w;
            TV a0 = TW.Load(ref rb, c0), a1 = TW.Load(ref rb, c1), a2 = TW.Load(ref rb, c2), a3 = TW.Load(ref rb, c3);
            foreach (nint p in rows)
            {
                ref float r = ref *(float*)p;
                a0 = TW.Add(a0, TW.Load(ref r, c0));
                a1 = TW.Add(a1, TW.Load(ref r, c1));
                a2 = TW.Add(a2, TW.Load(ref r, c2));
                a3 = TW.Add(a3, TW.Load(ref r, c3));
            }
            TW.Store(a0, ref rz, c0);
            TW.Store(a1, ref rz, c1);
            TW.Store(a2, ref rz, c2);
            TW.Store(a3, ref rz, c3);
        }
        for (; j < full; j += w)
        {
            TV a = TW.Load(ref rb, (nuint)j);
            foreach (nint p in rows) a = TW.Add(a, TW.Load(ref *(float*)p, (nuint)j));
            TW.Store(a, ref rz, (nuint)j);
        }
        if (full != n)
        {
            // The last Count lanes again: the overlap recomputes the same sums, so storing it over them is harmless.
            nuint t = (nuint)(n - w);
            TV a = TW.Load(ref rb, t);
            foreach (nint p in rows) a = TW.Add(a, TW.Load(ref *(float*)p, t));
            TW.Store(a, ref rz, t);
        }
    }

    /// <summary>
    /// C (m, n) += A (m, k) · Bᵀ with B (n, k) read as it lies, k ≥ Count: each C element is a dot product of two
    /// contiguous rows, taken 2 rows of A × 4 rows of B at a time in 8 vector accumulators (6 loads per 8 FMAs). B's four
    /// rows stay in L1 while every row of A passes, so B is read once and nothing is packed: the choice when B is a weight
    /// matrix that changes every step and A has few rows (a sentence of windows), where transposing B would cost more than
    /// the product.
    /// </summary>
    public static void GemmNTDot(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k)
        => GemmNTDot(c, a, b, m, n, k, n);

    /// <summary>C (m, n) += A Bᵀ with C's rows <paramref name="ldc"/> apart: n of its columns, one part of a split product.</summary>
    public static void GemmNTDot(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k, int ldc)
    {
        int w = TW.Count, full = k / w * w, rem = k - full;
        TV mask = rem == 0 ? TW.Zero : TW.TailMask(rem);
        nuint t = (nuint)(k - w);
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rc = ref MemoryMarshal.GetReference(c);
        int j = 0;
        for (; j + 4 <= n; j += 4)
        {
            nuint b0 = (nuint)(j * k), b1 = b0 + (nuint)k, b2 = b1 + (nuint)k, b3 = b2 + (nuint)k;
            int i = 0;
            for (; i + 2 <= m; i += 2)
            {
                nuint a0 = (nuint)(i * k), a1 = a0 + (nuint)k;
                TV s00 = TW.Zero, s01 = TW.Zero, s02 = TW.Zero, s03 = TW.Zero, s10 = TW.Zero, s11 = TW.Zero, s12 = TW.Zero, s13 = TW.Zero;
                for (int p = 0; p < full; p += w)
                {
                    nuint q = (nuint)p;
                    TV x0 = TW.Load(ref ra, a0 + q), x1 = TW.Load(ref ra, a1 + q);
                    TV y = TW.Load(ref rb, b0 + q);
                    s00 = TW.Fma(x0, y, s00); s10 = TW.Fma(x1, y, s10);
                    y = TW.Load(ref rb, b1 + q);
                    s01 = TW.Fma(x0, y, s01); s11 = TW.Fma(x1, y, s11);
                    y = TW.Load(ref rb, b2 + q);
                    s02 = TW.Fma(x0, y, s02); s12 = TW.Fma(x1, y, s12);
                    y = TW.Load(ref rb, b3 + q);
                    s03 = TW.Fma(x0, y, s03); s13 = TW.Fma(x1, y, s13);
                }
                if (rem != 0)
                {
                    // The last Count lanes again, A masked to the new ones.
                    TV x0 = TW.And(TW.Load(ref ra, a0 + t), mask), x1 = TW.And(TW.Load(ref ra, a1 + t), mask);
                    TV y = TW.Load(ref rb, b0 + t);
                    s00 = TW.Fma(x0, y, s00); s10 = TW.Fma(x1, y, s10);
                    y = TW.Load(ref rb, b1 + t);
                    s01 = TW.Fma(x0, y, s01); s11 = TW.Fma(x1, y, s11);
                    y = TW.Load(ref rb, b2 + t);
                    s02 = TW.Fma(x0, y, s02); s12 = TW.Fma(x1, y, s12);
                    y = TW.Load(ref rb, b3 + t);
                    s03 = TW.Fma(x0, y, s03); s13 = TW.Fma(x1, y, s13);
                }
                ref float c0 = ref Unsafe.Add(ref rc, i * ldc + j);
                ref float c1 = ref Unsafe.Add(ref rc, (i + 1) * ldc + j);
                c0 += TW.Sum(s00); Unsafe.Add(ref c0, 1) += TW.Sum(s01); Unsafe.Add(ref c0, 2) += TW.Sum(s02); Unsafe.Add(ref c0, 3) += TW.Sum(s03);
                c1 += TW.Sum(s10); Unsafe.Add(ref c1, 1) += TW.Sum(s11); Unsafe.Add(ref c1, 2) += TW.Sum(s12); Unsafe.Add(ref c1, 3) += TW.Sum(s13);
            }
            for (; i < m; i++)
                for (int jj = j; jj < j + 4; jj++)
                    Unsafe.Add(ref rc, i * ldc + jj) += Dot(ref Unsafe.Add(ref ra, i * k), ref Unsafe.Add(ref rb, jj * k), full, rem, mask, t);
        }
        for (; j < n; j++)
            for (int i = 0; i < m; i++)
                Unsafe.Add(ref rc, i * ldc + j) += Dot(ref Unsafe.Add(ref ra, i * k), ref Unsafe.Add(ref rb, j * k), full, rem, mask, t);
    }

    /// <summary>x · y over k = full + rem values (k ≥ Count), the tail as in <see cref="GemmNTDot"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot(ref float x, ref float y, int full, int rem, TV mask, nuint t)
    {
        int w = TW.Count;
        TV s = TW.Zero;
        for (int p = 0; p < full; p += w) s = TW.Fma(TW.Load(ref x, (nuint)p), TW.Load(ref y, (nuint)p), s);
        if (rem != 0) s = TW.Fma(TW.And(TW.Load(ref x, t), mask), TW.Load(ref y, t), s);
        return TW.Sum(s);
    }

    /// <summary>
    /// y (n) += Aᵀ x, then A (m, n) += alpha · x vᵀ, reading and writing each row of A once (n ≥ Count): the batch-1
    /// backward of a layer fused with its SGD update, W ← W − α δ aᵀ after ∂J/∂a = Wᵀ δ at the old W.
    /// </summary>
    public static void GemvTGer(Span<float> a, Span<float> y, ReadOnlySpan<float> x, float alpha, ReadOnlySpan<float> v, int m, int n)
    {
        int w = TW.Count, full = n / w * w, rem = n - full;
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float ry = ref MemoryMarshal.GetReference(y);
        ref float rv = ref MemoryMarshal.GetReference(v);
        TV tailMask = rem == 0 ? TW.Zero : TW.TailMask(rem);
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            TV x0 = TW.Splat(x[i]), x1 = TW.Splat(x[i + 1]), x2 = TW.Splat(x[i + 2]), x3 = TW.Splat(x[i + 3]);
            TV s0 = TW.Splat(alpha * x[i]), s1 = TW.Splat(alpha * x[i + 1]), s2 = TW.Splat(alpha * x[i + 2]), s3 = TW.Splat(alpha * x[i + 3]);
            nuint r0 = (nuint)(i * n), r1 = r0 + (nuint)n, r2 = r1 + (nuint)n, r3 = r2 + (nuint)n;
            for (int j = 0; j < full; j += w)
            {
                nuint c = (nuint)j;
                TV vv = TW.Load(ref rv, c);
                TV a0 = TW.Load(ref ra, r0 + c), a1 = TW.Load(ref ra, r1 + c), a2 = TW.Load(ref ra, r2 + c), a3 = TW.Load(ref ra, r3 + c);
                TV yv = TW.Fma(a3, x3, TW.Fma(a2, x2, TW.Fma(a1, x1, TW.Fma(a0, x0, TW.Load(ref ry, c)))));
                TW.Store(yv, ref ry, c);
                TW.Store(TW.Fma(vv, s0, a0), ref ra, r0 + c);
                TW.Store(TW.Fma(vv, s1, a1), ref ra, r1 + c);
                TW.Store(TW.Fma(vv, s2, a2), ref ra, r2 + c);
                TW.Store(TW.Fma(vv, s3, a3), ref ra, r3 + c);
            }
            if (rem != 0)
            {
                // The tail chunk overlaps finished lanes: y gets masked products, A masked updates.
                nuint c = (nuint)(n - w);
                TV vv = TW.And(TW.Load(ref rv, c), tailMask);
                TV a0 = TW.Load(ref ra, r0 + c), a1 = TW.Load(ref ra, r1 + c), a2 = TW.Load(ref ra, r2 + c), a3 = TW.Load(ref ra, r3 + c);
                TV d = TW.Fma(a3, x3, TW.Fma(a2, x2, TW.Fma(a1, x1, TW.Fma(a0, x0, TW.Zero))));
                TW.Store(TW.Add(TW.Load(ref ry, c), TW.And(d, tailMask)), ref ry, c);
                TW.Store(TW.Fma(vv, s0, a0), ref ra, r0 + c);
                TW.Store(TW.Fma(vv, s1, a1), ref ra, r1 + c);
                TW.Store(TW.Fma(vv, s2, a2), ref ra, r2 + c);
                TW.Store(TW.Fma(vv, s3, a3), ref ra, r3 + c);
            }
        }
        for (; i < m; i++)
        {
            TV xi = TW.Splat(x[i]), si = TW.Splat(alpha * x[i]);
            nuint r = (nuint)(i * n);
            for (int j = 0; j < full; j += w)
            {
                nuint c = (nuint)j;
                TV ai = TW.Load(ref ra, r + c);
                TW.Store(TW.Fma(ai, xi, TW.Load(ref ry, c)), ref ry, c);
                TW.Store(TW.Fma(TW.Load(ref rv, c), si, ai), ref ra, r + c);
            }
            if (rem != 0)
            {
                nuint c = (nuint)(n - w);
                TV ai = TW.Load(ref ra, r + c);
                TW.Store(TW.Add(TW.Load(ref ry, c), TW.And(TW.Fma(ai, xi, TW.Zero), tailMask)), ref ry, c);
                TW.Store(TW.Fma(TW.And(TW.Load(ref rv, c), tailMask), si, ai), ref ra, r + c);
            }
        }
    }


    /// <summary>Rows of A one <see cref="GemvTGerGemv"/> call takes at a time (its per-row partial sums of z live on the stack).</summary>
    private const int PassRows = 128;

    /// <summary>
    /// One pass over A (m, n), n ≥ 4·Count: y (n) += Aᵀ x at the old A, then A += x vᵀ, then z (m) += A u at the new A.
    /// The batch-1 SGD step of a layer (∂J/∂a = Wᵀ δ, W ← W + δ (−α a)ᵀ) fused with the next window's forward product,
    /// so W streams through the cache once per window instead of three times. Blocks of 4 vectors of columns run down
    /// all rows (y, v and u stay in registers), and each row's partial z is kept as one vector per row until the end.
    /// </summary>
    [SkipLocalsInit] // the partial sums are cleared per row block, not the whole stack buffer per call
    public static void GemvTGerGemv(Span<float> a, Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> v, Span<float> z, ReadOnlySpan<float> u, int m, int n)
    {
        int w = TW.Count, block = 4 * w, nb = n / block * block;
        Span<float> partial = stackalloc float[PassRows * 16]; // (rows, w) per-row partial sums of z; 16 = the widest Count
        for (int r0 = 0; r0 < m; r0 += PassRows)
        {
            int rows = Math.Min(PassRows, m - r0);
            var pz = partial[..(rows * w)];
            pz.Clear();
            ref float ra = ref Unsafe.Add(ref MemoryMarshal.GetReference(a), (nuint)r0 * (nuint)n);
            ref float rx = ref Unsafe.Add(ref MemoryMarshal.GetReference(x), r0);
            for (int c = 0; c < nb; c += block)
                PassBlock(ref ra, ref rx, y, v, u, pz, rows, n, c, TW.Zero, TW.Zero, TW.Zero, TW.Zero, masked: false);
            if (nb < n)
            {
                // The ragged end: one more block at n − 4·Count whose lanes left of nb (done above) are masked out.
                int c = n - block;
                PassBlock(ref ra, ref rx, y, v, u, pz, rows, n, c, Keep(c, nb), Keep(c + w, nb), Keep(c + 2 * w, nb), Keep(c + 3 * w, nb), masked: true);
            }
            ref float rp = ref MemoryMarshal.GetReference(pz);
            for (int i = 0; i < rows; i++) z[r0 + i] += TW.Sum(TW.Load(ref rp, (nuint)(i * w)));
        }
    }

    /// <summary>Lanes of the chunk at column <paramref name="at"/> whose column is ≥ <paramref name="from"/>.</summary>
    private static TV Keep(int at, int from) => TW.TailMask(Math.Clamp(at + TW.Count - from, 0, TW.Count));

    /// <summary>Columns [c, c + 4·Count) of <see cref="GemvTGerGemv"/> down all rows; masked lanes of y, A and z are left as they are.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PassBlock(ref float ra, ref float rx, Span<float> y, ReadOnlySpan<float> v, ReadOnlySpan<float> u, Span<float> pz, int rows, int n, int c,
        TV k0, TV k1, TV k2, TV k3, bool masked)
    {
        nuint cw = (nuint)TW.Count, cc = (nuint)c;
        ref float ry = ref MemoryMarshal.GetReference(y);
        ref float rv = ref MemoryMarshal.GetReference(v);
        ref float ru = ref MemoryMarshal.GetReference(u);
        ref float rp = ref MemoryMarshal.GetReference(pz);
        TV y0 = masked ? TW.Zero : TW.Load(ref ry, cc), y1 = masked ? TW.Zero : TW.Load(ref ry, cc + cw);
        TV y2 = masked ? TW.Zero : TW.Load(ref ry, cc + 2 * cw), y3 = masked ? TW.Zero : TW.Load(ref ry, cc + 3 * cw);
        TV v0 = TW.Load(ref rv, cc), v1 = TW.Load(ref rv, cc + cw), v2 = TW.Load(ref rv, cc + 2 * cw), v3 = TW.Load(ref rv, cc + 3 * cw);
        TV u0 = TW.Load(ref ru, cc), u1 = TW.Load(ref ru, cc + cw), u2 = TW.Load(ref ru, cc + 2 * cw), u3 = TW.Load(ref ru, cc + 3 * cw);
        if (masked)
        {
            v0 = TW.And(v0, k0); v1 = TW.And(v1, k1); v2 = TW.And(v2, k2); v3 = TW.And(v3, k3);
            u0 = TW.And(u0, k0); u1 = TW.And(u1, k1); u2 = TW.And(u2, k2); u3 = TW.And(u3, k3);
        }
        ref float p = ref Unsafe.Add(ref ra, cc);
        for (int i = 0; i < rows; i++)
        {
            TV xi = TW.Splat(Unsafe.Add(ref rx, i));
            TV a0 = TW.Load(ref p, 0);
            y0 = TW.Fma(a0, xi, y0);       // y += Aᵀ x (old A)
            a0 = TW.Fma(v0, xi, a0);       // A += x vᵀ
            TW.Store(a0, ref p, 0);
            TV s = TW.Fma(a0, u0, TW.Zero); // z += A u (new A)
            TV a1 = TW.Load(ref p, cw);
            y1 = TW.Fma(a1, xi, y1);
            a1 = TW.Fma(v1, xi, a1);
            TW.Store(a1, ref p, cw);
            s = TW.Fma(a1, u1, s);
            TV a2 = TW.Load(ref p, 2 * cw);
            y2 = TW.Fma(a2, xi, y2);
            a2 = TW.Fma(v2, xi, a2);
            TW.Store(a2, ref p, 2 * cw);
            s = TW.Fma(a2, u2, s);
            TV a3 = TW.Load(ref p, 3 * cw);
            y3 = TW.Fma(a3, xi, y3);
            a3 = TW.Fma(v3, xi, a3);
            TW.Store(a3, ref p, 3 * cw);
            s = TW.Fma(a3, u3, s);
            nuint at = (nuint)(i * TW.Count);
            TW.Store(TW.Add(TW.Load(ref rp, at), s), ref rp, at);
            p = ref Unsafe.Add(ref p, n);
        }
        if (masked)
        {
            y0 = TW.And(y0, k0); y1 = TW.And(y1, k1); y2 = TW.And(y2, k2); y3 = TW.And(y3, k3);
            y0 = TW.Add(TW.Load(ref ry, cc), y0); y1 = TW.Add(TW.Load(ref ry, cc + cw), y1);
            y2 = TW.Add(TW.Load(ref ry, cc + 2 * cw), y2); y3 = TW.Add(TW.Load(ref ry, cc + 3 * cw), y3);
        }
        TW.Store(y0, ref ry, cc);
        TW.Store(y1, ref ry, cc + cw);
        TW.Store(y2, ref ry, cc + 2 * cw);
        TW.Store(y3, ref ry, cc + 3 * cw);
    }

    /// <summary>
    /// C (m, n) += A · B with B (k, n) row-major and A read through strides: element (i, p) of A at a[i·rowStride + p·colStride]
    /// (GemmNN: rowStride = k, colStride = 1; GemmTN: rowStride = 1, colStride = m). n ≥ Count.
    /// Blocked as in Goto's GEMM: k in panels of <see cref="KcBlock"/> so a B panel stays in L1/L2 across row blocks;
    /// a 4 × 2-vector micro-kernel keeps 8 accumulators in registers and broadcasts A.
    /// </summary>
    public static void GemmStrided(Span<float> c, ReadOnlySpan<float> a, int rowStride, int colStride, ReadOnlySpan<float> b, int m, int n, int k)
        => GemmStrided(c, a, rowStride, colStride, b, m, n, k, n);

    /// <summary>
    /// The first <paramref name="cols"/> columns (≥ Count) of C += A · B, with n the row stride of B and C: one part of
    /// a product split by columns (<see cref="ParallelBlas"/>), each column computed as in the whole product.
    /// </summary>
    public static void GemmStrided(Span<float> c, ReadOnlySpan<float> a, int rowStride, int colStride, ReadOnlySpan<float> b, int m, int n, int k, int cols)
    {
        int w = TW.Count, full = cols / w * w, rem = cols - full;
        TV ones = TW.TailMask(w);
        TV tailMask = rem == 0 ? TW.Zero : TW.TailMask(rem);
        for (int pc = 0; pc < k; pc += KcBlock)
        {
            int kc = Math.Min(KcBlock, k - pc);
            int j = 0;
            for (; j + 2 * w <= full; j += 2 * w)
            {
                int i = 0;
                for (; i + 4 <= m; i += 4) Micro4x2(c, a, rowStride, colStride, b, i, j, pc, kc, n);
                for (; i < m; i++) Micro1x1(c, a, rowStride, colStride, b, i, j, pc, kc, n, ones, 2);
            }
            for (; j < full; j += w)
            {
                int i = 0;
                for (; i + 4 <= m; i += 4) Micro4x1(c, a, rowStride, colStride, b, i, j, pc, kc, n, ones);
                for (; i < m; i++) Micro1x1(c, a, rowStride, colStride, b, i, j, pc, kc, n, ones, 1);
            }
            if (rem != 0)
            {
                int t = cols - w;
                int i = 0;
                for (; i + 4 <= m; i += 4) Micro4x1(c, a, rowStride, colStride, b, i, t, pc, kc, n, tailMask);
                for (; i < m; i++) Micro1x1(c, a, rowStride, colStride, b, i, t, pc, kc, n, tailMask, 1);
            }
        }
    }

    /// <summary>Depth of a k panel: 128 rows of a 2-vector B strip are 16 KB (512-bit) or 8 KB (256-bit).</summary>
    private const int KcBlock = 128;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Micro4x2(Span<float> c, ReadOnlySpan<float> a, int rs, int cs, ReadOnlySpan<float> b, int i, int j, int pc, int kc, int n)
    {
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        nuint w = (nuint)TW.Count;
        TV c00 = TW.Zero, c01 = TW.Zero, c10 = TW.Zero, c11 = TW.Zero, c20 = TW.Zero, c21 = TW.Zero, c30 = TW.Zero, c31 = TW.Zero;
        nuint pa = (nuint)(i * rs + pc * cs), ars = (nuint)rs, acs = (nuint)cs;
        nuint pb = (nuint)(pc * n + j), bn = (nuint)n;
        for (int p = 0; p < kc; p++)
        {
            TV b0 = TW.Load(ref rb, pb), b1 = TW.Load(ref rb, pb + w);
            TV a0 = TW.Splat(Unsafe.Add(ref ra, pa));
            c00 = TW.Fma(a0, b0, c00); c01 = TW.Fma(a0, b1, c01);
            TV a1 = TW.Splat(Unsafe.Add(ref ra, pa + ars));
            c10 = TW.Fma(a1, b0, c10); c11 = TW.Fma(a1, b1, c11);
            TV a2 = TW.Splat(Unsafe.Add(ref ra, pa + 2 * ars));
            c20 = TW.Fma(a2, b0, c20); c21 = TW.Fma(a2, b1, c21);
            TV a3 = TW.Splat(Unsafe.Add(ref ra, pa + 3 * ars));
            c30 = TW.Fma(a3, b0, c30); c31 = TW.Fma(a3, b1, c31);
            pa += acs;
            pb += bn;
        }
        ref float rc = ref MemoryMarshal.GetReference(c);
        nuint o = (nuint)(i * n + j);
        TW.Store(TW.Add(TW.Load(ref rc, o), c00), ref rc, o); TW.Store(TW.Add(TW.Load(ref rc, o + w), c01), ref rc, o + w); o += bn;
        TW.Store(TW.Add(TW.Load(ref rc, o), c10), ref rc, o); TW.Store(TW.Add(TW.Load(ref rc, o + w), c11), ref rc, o + w); o += bn;
        TW.Store(TW.Add(TW.Load(ref rc, o), c20), ref rc, o); TW.Store(TW.Add(TW.Load(ref rc, o + w), c21), ref rc, o + w); o += bn;
        TW.Store(TW.Add(TW.Load(ref rc, o), c30), ref rc, o); TW.Store(TW.Add(TW.Load(ref rc, o + w), c31), ref rc, o + w);
    }

    /// <summary>Four rows by one vector, the result masked (a tail chunk's overlapping lanes add nothing).</summary>
    private static void Micro4x1(Span<float> c, ReadOnlySpan<float> a, int rs, int cs, ReadOnlySpan<float> b, int i, int j, int pc, int kc, int n, TV mask)
    {
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        TV c0 = TW.Zero, c1 = TW.Zero, c2 = TW.Zero, c3 = TW.Zero;
        nuint pa = (nuint)(i * rs + pc * cs), ars = (nuint)rs, acs = (nuint)cs;
        nuint pb = (nuint)(pc * n + j), bn = (nuint)n;
        for (int p = 0; p < kc; p++)
        {
            TV b0 = TW.Load(ref rb, pb);
            c0 = TW.Fma(TW.Splat(Unsafe.Add(ref ra, pa)), b0, c0);
            c1 = TW.Fma(TW.Splat(Unsafe.Add(ref ra, pa + ars)), b0, c1);
            c2 = TW.Fma(TW.Splat(Unsafe.Add(ref ra, pa + 2 * ars)), b0, c2);
            c3 = TW.Fma(TW.Splat(Unsafe.Add(ref ra, pa + 3 * ars)), b0, c3);
            pa += acs;
            pb += bn;
        }
        ref float rc = ref MemoryMarshal.GetReference(c);
        nuint o = (nuint)(i * n + j);
        TW.Store(TW.Add(TW.Load(ref rc, o), TW.And(c0, mask)), ref rc, o); o += bn;
        TW.Store(TW.Add(TW.Load(ref rc, o), TW.And(c1, mask)), ref rc, o); o += bn;
        TW.Store(TW.Add(TW.Load(ref rc, o), TW.And(c2, mask)), ref rc, o); o += bn;
        TW.Store(TW.Add(TW.Load(ref rc, o), TW.And(c3, mask)), ref rc, o);
    }

    /// <summary>One row by <paramref name="chunks"/> consecutive vectors (masked with <paramref name="mask"/>), for the rows left over.</summary>
    private static void Micro1x1(Span<float> c, ReadOnlySpan<float> a, int rs, int cs, ReadOnlySpan<float> b, int i, int j, int pc, int kc, int n, TV mask, int chunks)
    {
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rc = ref MemoryMarshal.GetReference(c);
        for (int q = 0; q < chunks; q++)
        {
            int jq = j + q * TW.Count;
            TV acc = TW.Zero;
            nuint pa = (nuint)(i * rs + pc * cs), pb = (nuint)(pc * n + jq);
            for (int p = 0; p < kc; p++)
            {
                acc = TW.Fma(TW.Splat(Unsafe.Add(ref ra, pa)), TW.Load(ref rb, pb), acc);
                pa += (nuint)cs;
                pb += (nuint)n;
            }
            nuint o = (nuint)(i * n + jq);
            TW.Store(TW.Add(TW.Load(ref rc, o), TW.And(acc, mask)), ref rc, o);
        }
    }
}
