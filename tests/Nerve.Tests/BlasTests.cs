using System.Numerics;
using Nerve.Numerics;

namespace Nerve.Tests;

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
}
