using System.Runtime.Intrinsics;

namespace Nerve.Numerics;

/// <summary>
/// The float kernels split over an <see cref="IntraOp"/> team. Each part writes its own rows or columns of the output
/// and calls the one-thread kernel on them (with an explicit width, so it does not split again), so every element is
/// computed exactly as without the team. Calls too small to gain from a second thread return false.
/// </summary>
internal static unsafe class ParallelBlas
{
    private const long MinMultiplies = 32_768; // below this (≈ 1 µs of FMAs) the hand-off costs more than it saves

    private static int Width => BlasFloat.Best == SimdWidth.V512 ? 16 : BlasFloat.Best == SimdWidth.V256 ? 8 : 1;

    /// <summary>
    /// Whether a call of <paramref name="multiplies"/> multiply-adds over <paramref name="units"/> rows or columns is worth
    /// splitting, and into how many parts: as many as the team has, fewer if a part would get under minPerPart units.
    /// </summary>
    private static bool Split(Team team, long multiplies, int units, int minPerPart, out int parts)
    {
        parts = Math.Min(team.Size, Math.Max(1, units / minPerPart));
        return multiplies >= MinMultiplies && parts >= 2;
    }

    public static bool Gemv(Team team, Span<float> y, ReadOnlySpan<float> a, ReadOnlySpan<float> x, int m, int n)
    {
        if (!Split(team, (long)m * n, m, 4, out int parts)) return false;
        fixed (float* py = y, pa = a, px = x)
        {
            var job = team.Jobs.Gemv;
            job.Y = py;
            job.A = pa;
            job.X = px;
            job.M = m;
            job.N = n;
            team.Run(job, parts);
        }
        return true;
    }

    public static bool Ger(Team team, Span<float> a, float alpha, ReadOnlySpan<float> x, ReadOnlySpan<float> y, int m, int n)
    {
        if (!Split(team, (long)m * n, m, 4, out int parts)) return false;
        fixed (float* pa = a, px = x, py = y)
        {
            var job = team.Jobs.Ger;
            job.A = pa;
            job.Alpha = alpha;
            job.X = px;
            job.Y = py;
            job.M = m;
            job.N = n;
            team.Run(job, parts);
        }
        return true;
    }

    /// <summary>The dot-product GemmNT (see <see cref="SimdKernels{TW, TV}.GemmNTDot(Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int)"/>), split by columns.</summary>
    public static bool GemmNTDot(Team team, Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k)
    {
        if (!Split(team, (long)m * n * k, n, 8, out int parts)) return false;
        fixed (float* pc = c, pa = a, pb = b)
        {
            var job = team.Jobs.GemmNTDot;
            job.C = pc;
            job.A = pa;
            job.B = pb;
            job.M = m;
            job.N = n;
            job.K = k;
            team.Run(job, parts);
        }
        return true;
    }

    /// <summary>GemmNN or GemmTN through the strided kernel, split by columns in whole micro-kernel strips.</summary>
    public static bool GemmStrided(Team team, Span<float> c, ReadOnlySpan<float> a, int rowStride, int colStride, ReadOnlySpan<float> b, int m, int n, int k)
    {
        if (Width == 1 || !Split(team, (long)m * n * k, n, 2 * Width, out int parts)) return false;
        var (last, end) = Team.Range(n, parts - 1, parts, 2 * Width);
        if (end - last < Width) return false; // the strided kernel needs a vector of columns per part
        fixed (float* pc = c, pa = a, pb = b)
        {
            var job = team.Jobs.GemmStrided;
            job.C = pc;
            job.A = pa;
            job.B = pb;
            job.RowStride = rowStride;
            job.ColStride = colStride;
            job.M = m;
            job.N = n;
            job.K = k;
            job.ALength = a.Length;
            team.Run(job, parts);
        }
        return true;
    }

    /// <summary>One team's job objects; fields hold the current call's pinned pointers while the team runs it.</summary>
    internal sealed class Jobs
    {
        public readonly GemvJob Gemv = new();
        public readonly GerJob Ger = new();
        public readonly GemmNTDotJob GemmNTDot = new();
        public readonly GemmStridedJob GemmStrided = new();
    }

    internal sealed class GemvJob : IPart
    {
        public float* Y, A, X;
        public int M, N;

        public void Run(int part, int parts)
        {
            var (r0, r1) = Team.Range(M, part, parts, 4);
            if (r1 > r0) BlasFloat.Gemv(new Span<float>(Y + r0, r1 - r0), new ReadOnlySpan<float>(A + (long)r0 * N, (r1 - r0) * N), new ReadOnlySpan<float>(X, N), r1 - r0, N, BlasFloat.Best);
        }
    }

    internal sealed class GerJob : IPart
    {
        public float* A, X, Y;
        public float Alpha;
        public int M, N;

        public void Run(int part, int parts)
        {
            var (r0, r1) = Team.Range(M, part, parts, 4);
            if (r1 > r0) BlasFloat.Ger(new Span<float>(A + (long)r0 * N, (r1 - r0) * N), Alpha, new ReadOnlySpan<float>(X + r0, r1 - r0), new ReadOnlySpan<float>(Y, N), r1 - r0, N, BlasFloat.Best);
        }
    }

    internal sealed class GemmNTDotJob : IPart
    {
        public float* C, A, B;
        public int M, N, K;

        public void Run(int part, int parts)
        {
            var (j0, j1) = Team.Range(N, part, parts, 4);
            if (j1 <= j0) return;
            var c = new Span<float>(C + j0, (M - 1) * N + (j1 - j0));
            var a = new ReadOnlySpan<float>(A, M * K);
            var b = new ReadOnlySpan<float>(B + (long)j0 * K, (j1 - j0) * K);
            if (BlasFloat.Best == SimdWidth.V512) SimdKernels<W512, Vector512<float>>.GemmNTDot(c, a, b, M, j1 - j0, K, N);
            else SimdKernels<W256, Vector256<float>>.GemmNTDot(c, a, b, M, j1 - j0, K, N);
        }
    }

    internal sealed class GemmStridedJob : IPart
    {
        public float* C, A, B;
        public int RowStride, ColStride, M, N, K, ALength;

        public void Run(int part, int parts)
        {
            var (j0, j1) = Team.Range(N, part, parts, 2 * Width);
            if (j1 <= j0) return;
            var c = new Span<float>(C + j0, (M - 1) * N + (j1 - j0));
            var a = new ReadOnlySpan<float>(A, ALength);
            var b = new ReadOnlySpan<float>(B + j0, (K - 1) * N + (j1 - j0));
            if (BlasFloat.Best == SimdWidth.V512) SimdKernels<W512, Vector512<float>>.GemmStrided(c, a, RowStride, ColStride, b, M, N, K, j1 - j0);
            else SimdKernels<W256, Vector256<float>>.GemmStrided(c, a, RowStride, ColStride, b, M, N, K, j1 - j0);
        }
    }
}
