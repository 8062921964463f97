using System.Numerics;
using Nerve.Numerics;

namespace Nerve.Tests.Numerics;

public class BlasTests
{
    private static T[] Random<T>(Random rng, int n) where T : unmanaged, IFloatingPointIeee754<T>
        => Enumerable.Range(0, n).Select(_ => T.CreateTruncating(rng.NextDouble() * 2 - 1)).ToArray();

    private static void Close<T>(T[] expected, T[] actual, double tol) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(double.CreateTruncating(expected[i] - actual[i])) <= tol * (1 + Math.Abs(double.CreateTruncating(expected[i]))), $"index {i}: {expected[i]} vs {actual[i]}");
    }

    public static TheoryData<int, int, int> Shapes() => new()
    {
        { 1, 1, 1 }, { 1, 7, 3 }, { 3, 1, 17 }, { 5, 100, 250 }, { 17, 33, 65 }, { 32, 5, 100 }, { 2, 129, 31 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Fast_kernels_match_the_scalar_reference_in_float(int m, int n, int k) => Check<float>(m, n, k, 1e-4);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Fast_kernels_match_the_scalar_reference_in_double(int m, int n, int k) => Check<double>(m, n, k, 1e-12);

    private static void Check<T>(int m, int n, int k, double tol) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(m * 1000 + n * 10 + k);
        // GemmNT: C (m, n) += A (m, k) Bᵀ, B (n, k)
        var a = Random<T>(rng, m * k);
        var b = Random<T>(rng, n * k);
        var c0 = Random<T>(rng, m * n);
        var c1 = (T[])c0.Clone();
        Blas<T>.GemmNT(c0, a, b, m, n, k);
        BlasReference<T>.GemmNT(c1, a, b, m, n, k);
        Close(c1, c0, tol);
        // GemmTN: C (m, n) += Aᵀ B, A (k, m), B (k, n)
        var at = Random<T>(rng, k * m);
        var bk = Random<T>(rng, k * n);
        c0 = Random<T>(rng, m * n);
        c1 = (T[])c0.Clone();
        Blas<T>.GemmTN(c0, at, bk, m, n, k);
        BlasReference<T>.GemmTN(c1, at, bk, m, n, k);
        Close(c1, c0, tol);
        // GemmNN: C (m, n) += A (m, k) B (k, n)
        c0 = Random<T>(rng, m * n);
        c1 = (T[])c0.Clone();
        Blas<T>.GemmNN(c0, a, bk, m, n, k);
        BlasReference<T>.GemmNN(c1, a, bk, m, n, k);
        Close(c1, c0, tol);
        // Gemv, GemvT, Ger with A (m, k)
        var x = Random<T>(rng, k);
        var y0 = Random<T>(rng, m);
        var y1 = (T[])y0.Clone();
        Blas<T>.Gemv(y0, a, x, m, k);
        BlasReference<T>.Gemv(y1, a, x, m, k);
        Close(y1, y0, tol);
        var xm = Random<T>(rng, m);
        var z0 = Random<T>(rng, k);
        var z1 = (T[])z0.Clone();
        Blas<T>.GemvT(z0, a, xm, m, k);
        BlasReference<T>.GemvT(z1, a, xm, m, k);
        Close(z1, z0, tol);
        var a0 = (T[])a.Clone();
        var a1 = (T[])a.Clone();
        T alpha = T.CreateTruncating(-0.75);
        Blas<T>.Ger(a0, alpha, xm, x, m, k);
        BlasReference<T>.Ger(a1, alpha, xm, x, m, k);
        Close(a1, a0, tol);
    }

    /// <summary>Random shapes with every dimension in 1..70 (tails of both widths) plus the model's own shapes.</summary>
    public static IEnumerable<(int M, int N, int K)> FloatShapes()
    {
        var rng = new Random(2014);
        for (int t = 0; t < 60; t++) yield return (rng.Next(1, 71), rng.Next(1, 71), rng.Next(1, 71));
        yield return (256, 100, 250);
        yield return (14, 400, 791); // a sentence through the default model's first layer
        yield return (3, 9, 33);     // one row and one column past the 2 × 4 blocks, a tail of 1 in k
        yield return (1, 100, 250);
        yield return (32, 100, 250);
        yield return (256, 5, 100);
        yield return (1, 5, 100);
        yield return (16, 16, 16);
        yield return (8, 8, 8);
    }

    public static TheoryData<int> Widths() => new() { (int)SimdWidth.Scalar, (int)SimdWidth.V256, (int)SimdWidth.V512, (int)SimdWidth.Auto };

    [Theory]
    [MemberData(nameof(Widths))]
    public void Float_kernels_of_every_width_match_the_scalar_reference_on_odd_shapes(int width)
    {
        var w = (SimdWidth)width;
        foreach (var (m, n, k) in FloatShapes())
        {
            var rng = new Random(m * 10_000 + n * 100 + k);
            string at = $"{w} m={m} n={n} k={k}";
            var a = Random<float>(rng, m * k);       // (m, k)
            var bnk = Random<float>(rng, n * k);     // (n, k)
            var at_ = Random<float>(rng, k * m);     // (k, m)
            var bkn = Random<float>(rng, k * n);     // (k, n)
            Same(c => BlasFloat.GemmNT(c, a, bnk, m, n, k, w), c => BlasReference<float>.GemmNT(c, a, bnk, m, n, k), rng, m * n, k, "GemmNT " + at);
            Same(c => BlasFloat.GemmTN(c, at_, bkn, m, n, k, w), c => BlasReference<float>.GemmTN(c, at_, bkn, m, n, k), rng, m * n, k, "GemmTN " + at);
            Same(c => BlasFloat.GemmNN(c, a, bkn, m, n, k, w), c => BlasReference<float>.GemmNN(c, a, bkn, m, n, k), rng, m * n, k, "GemmNN " + at);
            var xk = Random<float>(rng, k);
            var xm = Random<float>(rng, m);
            Same(y => BlasFloat.Gemv(y, a, xk, m, k, w), y => BlasReference<float>.Gemv(y, a, xk, m, k), rng, m, k, "Gemv " + at);
            Same(y => BlasFloat.GemvT(y, a, xm, m, k, w), y => BlasReference<float>.GemvT(y, a, xm, m, k), rng, k, m, "GemvT " + at);
            var a0 = (float[])a.Clone();
            var a1 = (float[])a.Clone();
            BlasFloat.Ger(a0, -0.75f, xm, xk, m, k, w);
            BlasReference<float>.Ger(a1, -0.75f, xm, xk, m, k);
            CloseAt(a1, a0, 1e-5, "Ger " + at);
            var f0 = (float[])a.Clone();
            var f1 = (float[])a.Clone();
            var y0 = Random<float>(rng, k);
            var y1 = (float[])y0.Clone();
            BlasFloat.GemvTGer(f0, y0, xm, -0.5f, xk, m, k, w);
            BlasReference<float>.GemvTGer(f1, y1, xm, -0.5f, xk, m, k);
            CloseAt(f1, f0, 1e-5, "GemvTGer A " + at);
            CloseAt(y1, y0, 1e-6 * (4 + m), "GemvTGer y " + at);
            // Gemv on a column slice [c0, c0 + cols) of A, rows k apart.
            int c0 = k / 3, cols = k - c0 - k / 5;
            var ys0 = Random<float>(rng, m);
            var ys1 = (float[])ys0.Clone();
            BlasFloat.GemvStrided(ys0, a.AsSpan(c0), k, xk.AsSpan(0, cols), m, cols, w);
            for (int i = 0; i < m; i++) { float s = 0; for (int j = 0; j < cols; j++) s += a[i * k + c0 + j] * xk[j]; ys1[i] += s; }
            CloseAt(ys1, ys0, 1e-6 * (4 + k), "GemvStrided " + at);
            // The next window's product on the same pass: every output of the fused kernel against the reference's three steps.
            var g0 = (float[])a.Clone();
            var g1 = (float[])a.Clone();
            var dy0 = Random<float>(rng, k);
            var dy1 = (float[])dy0.Clone();
            var zn0 = Random<float>(rng, m);
            var zn1 = (float[])zn0.Clone();
            var next = Random<float>(rng, k);
            BlasFloat.GemvTGerGemv(g0, dy0, xm, xk, zn0, next, m, k, w);
            BlasReference<float>.GemvTGerGemv(g1, dy1, xm, xk, zn1, next, m, k);
            CloseAt(g1, g0, 1e-5, "GemvTGerGemv A " + at);
            CloseAt(dy1, dy0, 1e-6 * (4 + m), "GemvTGerGemv y " + at);
            CloseAt(zn1, zn0, 1e-6 * (4 + k), "GemvTGerGemv z " + at);
            int[] offsets = [0, Math.Max(0, a.Length - k), (m / 2) * k];
            var s0 = Random<float>(rng, k);
            var s1 = (float[])s0.Clone();
            BlasFloat.AddRows(s0, a, offsets, k, w);
            foreach (int o in offsets) for (int j = 0; j < k; j++) s1[j] += a[o + j];
            CloseAt(s1, s0, 1e-6, "AddRows " + at);
            SumRowsMatches(a, offsets, k, w, rng, "SumRows " + at);
        }
    }

    /// <summary>SumRows over pinned rows against the plain sum in the same order (so the results are identical).</summary>
    private static unsafe void SumRowsMatches(float[] a, int[] offsets, int n, SimdWidth w, Random rng, string what)
    {
        var bias = Random<float>(rng, n);
        var z = new float[n + 1];
        z[n] = 42f; // one past the end: must stay untouched
        var expected = (float[])bias.Clone();
        foreach (int o in offsets) for (int j = 0; j < n; j++) expected[j] += a[o + j];
        fixed (float* pa = a, pb = bias, pz = z)
        {
            var rows = new nint[offsets.Length];
            for (int r = 0; r < rows.Length; r++) rows[r] = (nint)(pa + offsets[r]);
            BlasFloat.SumRows(pz, pb, rows, n, w);
        }
        for (int j = 0; j < n; j++) Assert.True(expected[j] == z[j], $"{what} index {j}: {expected[j]} vs {z[j]}");
        Assert.Equal(42f, z[n]);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Fast_tanh_is_within_2e_7_of_tanh_and_the_same_at_every_width(int width)
    {
        var w = (SimdWidth)width;
        var rng = new Random(12);
        // A grid over where tanh bends and saturates, random values, and the edge cases, in a length with a tail.
        var x = Enumerable.Range(-20_000, 40_001).Select(i => i * 6e-4f)
            .Concat(Enumerable.Range(0, 5000).Select(_ => (float)((rng.NextDouble() * 2 - 1) * Math.Pow(10, rng.Next(-8, 3)))))
            .Concat([0f, -0f, 1e-30f, -1e-30f, 8.99f, 9f, 9.01f, 50f, -50f, float.MaxValue, float.MinValue, float.PositiveInfinity, float.NegativeInfinity])
            .ToArray();
        var y = new float[x.Length];
        FastTanh.Apply(x, y, w);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Math.Abs(y[i] - Math.Tanh(x[i])) <= 2e-7, $"tanh({x[i]:R}) = {y[i]:R}, exact {Math.Tanh(x[i]):R}");
            Assert.Equal(FastTanh.Tanh(x[i]), y[i]); // the vector lanes run the scalar steps exactly
            Assert.Equal(float.IsNegative(x[i]), float.IsNegative(y[i]));
        }
        Assert.True(float.IsNaN(FastTanh.Tanh(float.NaN)));
        float[] nan = [float.NaN, .. Enumerable.Repeat(0.5f, 20)];
        FastTanh.Apply(nan, nan, w); // in place
        Assert.True(float.IsNaN(nan[0]));
        Assert.All(nan[1..], v => Assert.Equal(FastTanh.Tanh(0.5f), v));
    }

    /// <summary>Runs both on the same random accumulator and compares; the tolerance grows with the depth of the sums.</summary>
    private static void Same(Action<float[]> fast, Action<float[]> reference, Random rng, int length, int depth, string what)
    {
        var c0 = Random<float>(rng, length);
        var c1 = (float[])c0.Clone();
        fast(c0);
        reference(c1);
        CloseAt(c1, c0, 1e-6 * (4 + depth), what);
    }

    private static void CloseAt(float[] expected, float[] actual, double tol, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])), $"{what} index {i}: {expected[i]} vs {actual[i]}");
    }

    [Fact]
    public void Float_kernels_check_the_span_lengths()
    {
        var small = new float[10];
        Assert.Throws<ArgumentException>(() => Blas<float>.Gemv(small, small, small, 4, 4));
        Assert.Throws<ArgumentException>(() => Blas<float>.GemmNN(small, small, small, 4, 4, 4));
    }
}
