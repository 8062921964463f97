using System.Globalization;
using System.Runtime.Intrinsics;

namespace Nerve.Reports;

/// <summary>t-SNE settings; the defaults are those of van der Maaten's reference implementation (bhtsne).</summary>
public sealed class TsneOptions
{
    /// <summary>Perp(P_i) = 2^H(P_i) (section 2): the effective number of neighbours each point's Gaussian covers. Below N - 1.</summary>
    public double Perplexity { get; set; } = 30;
    public int Iterations { get; set; } = 1000;
    public ulong Seed { get; set; } = 1;
    public double LearningRate { get; set; } = 200;
    /// <summary>P is multiplied by this for the first <see cref="ExaggerationIterations"/> iterations.</summary>
    public double EarlyExaggeration { get; set; } = 12;
    public int ExaggerationIterations { get; set; } = 250;
    /// <summary>Momentum is <see cref="InitialMomentum"/> before this iteration and <see cref="FinalMomentum"/> from it on.</summary>
    public int MomentumSwitch { get; set; } = 250;
    public double InitialMomentum { get; set; } = 0.5;
    public double FinalMomentum { get; set; } = 0.8;
    public double MinGain { get; set; } = 0.01;
}

/// <summary>
/// Exact t-SNE (van der Maaten &amp; Hinton 2008, "Visualizing Data using t-SNE", JMLR 9) from D dimensions to 2.
/// O(N²) time and memory, so N is limited to <see cref="MaxPoints"/>. Single-threaded with a fixed summation order and
/// an explicit vector width: on one platform, the same input and seed give the same output bits.
/// </summary>
public static class Tsne
{
    /// <summary>Largest N accepted (there is no Barnes–Hut approximation): P alone takes 8·N² bytes, 32 MB at 2,000.</summary>
    public const int MaxPoints = 2000;

    /// <summary>Embeds the rows of <paramref name="x"/> (N, D), row-major, in two dimensions; returns Y (N, 2), row-major.</summary>
    public static double[] Embed(ReadOnlySpan<float> x, int n, int d, TsneOptions? options = null)
    {
        var o = options ?? new TsneOptions();
        Validate(x.Length, n, d, o);
        var p = new double[n * n];
        Affinities(x, n, d, o.Perplexity, p);
        var y = new double[n * 2];
        var rng = new Gaussian(o.Seed);
        for (int i = 0; i < y.Length; i++)
            y[i] = 1e-4 * rng.Next(); // y ~ N(0, 1e-4 I), as in the reference
        Optimize(p, n, y, o);
        return y;
    }

    private static void Validate(int length, int n, int d, TsneOptions o)
    {
        if (n < 2 || d < 1)
            throw new NerveException($"t-SNE needs at least 2 points of at least 1 dimension, got {n}x{d}");
        if (length != n * d)
            throw new NerveException($"t-SNE: {length} values are not {n} rows of {d}");
        if (n > MaxPoints)
            throw new NerveException($"t-SNE is exact and O(N^2): at most {MaxPoints} points, got {n}");
        if (!(o.Perplexity >= 1) || o.Perplexity >= n - 1)
            throw new NerveException($"t-SNE perplexity must be at least 1 and below N - 1 = {n - 1}, got {o.Perplexity.ToString(CultureInfo.InvariantCulture)}");
        if (o.Iterations < 0 || !(o.LearningRate > 0) || !(o.MinGain > 0))
            throw new NerveException("t-SNE needs iterations >= 0, a positive learning rate and a positive minimum gain");
    }

    /// <summary>
    /// Joint affinities P (N, N): per row, the conditional p_j|i of eq. 1 with β_i = 1/(2σ_i²) found by binary search so
    /// that 2^H(P_i) equals the perplexity; then p_ij = (p_j|i + p_i|j) / 2N (section 3.1). The diagonal is 0.
    /// </summary>
    internal static void Affinities(ReadOnlySpan<float> x, int n, int d, double perplexity, Span<double> p)
    {
        var dist = new double[n];
        for (int i = 0; i < n; i++)
        {
            var xi = x.Slice(i * d, d);
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                var xj = x.Slice(j * d, d);
                for (int k = 0; k < d; k++)
                {
                    double diff = (double)xi[k] - xj[k];
                    s += diff * diff;
                }
                dist[j] = s;
            }
            Conditional(dist, i, perplexity, p.Slice(i * n, n));
        }
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double s = (p[i * n + j] + p[j * n + i]) / (2.0 * n);
                s = Math.Max(s, 1e-300); // keeps log p_ij finite in the cost
                p[i * n + j] = s;
                p[j * n + i] = s;
            }
    }

    /// <summary>
    /// Eq. 1: p_j|i = exp(-β‖x_i − x_j‖²) / Σ_k≠i exp(-β‖x_i − x_k‖²), with β found by bisection on the entropy
    /// H(P_i) = −Σ_j p_j|i log p_j|i (in nats) against log(Perp). Distances are shifted by their minimum before exp,
    /// which leaves p unchanged and keeps the sum away from underflow. Returns β.
    /// </summary>
    internal const double EntropyTolerance = 1e-5;

    internal static double Conditional(ReadOnlySpan<double> dist, int i, double perplexity, Span<double> row)
    {
        int n = dist.Length;
        double dmin = double.MaxValue;
        for (int j = 0; j < n; j++)
            if (j != i)
                dmin = Math.Min(dmin, dist[j]);
        double logU = Math.Log(perplexity), beta = 1, lo = 0, hi = double.PositiveInfinity;
        for (int tries = 0; tries < 200; tries++)
        {
            double sum = 0, weighted = 0;
            for (int j = 0; j < n; j++)
            {
                double e = j == i ? 0 : Math.Exp(-beta * (dist[j] - dmin));
                row[j] = e;
                sum += e;
                weighted += (dist[j] - dmin) * e;
            }
            // H = log Σ e_j + β Σ (d_j − d_min) e_j / Σ e_j
            double h = Math.Log(sum) + beta * weighted / sum;
            for (int j = 0; j < n; j++)
                row[j] /= sum;
            double diff = h - logU;
            if (Math.Abs(diff) < EntropyTolerance)
                break;
            if (diff > 0)
            {
                lo = beta; // entropy too high: narrow the Gaussian
                beta = double.IsPositiveInfinity(hi) ? beta * 2 : (beta + hi) / 2;
            }
            else
            {
                hi = beta;
                beta = (beta + lo) / 2;
            }
        }
        return beta;
    }

    /// <summary>
    /// Gradient descent on C = KL(P‖Q) with momentum and per-coordinate gains (delta-bar-delta, Jacobs 1988) as in the
    /// reference: gain += 0.2 where the gradient's sign differs from the last update's, else gain *= 0.8.
    /// </summary>
    private static void Optimize(double[] p, int n, double[] y, TsneOptions o)
    {
        var grad = new double[n * 2];
        var update = new double[n * 2];
        var gains = new double[n * 2];
        Array.Fill(gains, 1.0);
        var scratch = new double[3 * n];
        for (int t = 0; t < o.Iterations; t++)
        {
            double exaggeration = t < o.ExaggerationIterations ? o.EarlyExaggeration : 1;
            double momentum = t < o.MomentumSwitch ? o.InitialMomentum : o.FinalMomentum;
            Gradient(p, n, y, exaggeration, grad, scratch);
            for (int k = 0; k < y.Length; k++)
            {
                gains[k] = Math.Sign(grad[k]) != Math.Sign(update[k]) ? gains[k] + 0.2 : gains[k] * 0.8;
                gains[k] = Math.Max(gains[k], o.MinGain);
                update[k] = momentum * update[k] - o.LearningRate * gains[k] * grad[k];
                y[k] += update[k];
            }
            // Centre Y: C is invariant to translation, so this only keeps the coordinates bounded.
            double mx = 0, my = 0;
            for (int i = 0; i < n; i++)
            {
                mx += y[2 * i];
                my += y[2 * i + 1];
            }
            mx /= n;
            my /= n;
            for (int i = 0; i < n; i++)
            {
                y[2 * i] -= mx;
                y[2 * i + 1] -= my;
            }
        }
    }

    /// <summary>
    /// Writes dC/dY (N, 2) into <paramref name="grad"/> for P scaled by <paramref name="exaggeration"/>. With
    /// w_ij = (1 + ‖y_i − y_j‖²)⁻¹ and Z = Σ_k≠l w_kl, eq. 4 gives q_ij = w_ij / Z and eq. 5 the gradient
    /// dC/dy_i = 4 Σ_j (p_ij − q_ij) w_ij (y_i − y_j). <paramref name="scratch"/> (3N) holds the coordinates split by
    /// axis and Z's partial sums per row, which are added in row order: the result depends on nothing but the input.
    /// </summary>
    internal static void Gradient(ReadOnlySpan<double> p, int n, ReadOnlySpan<double> y, double exaggeration, Span<double> grad, Span<double> scratch)
    {
        var y0 = scratch.Slice(0, n);
        var y1 = scratch.Slice(n, n);
        var rowZ = scratch.Slice(2 * n, n);
        for (int i = 0; i < n; i++)
        {
            y0[i] = y[2 * i];
            y1[i] = y[2 * i + 1];
        }
        for (int i = 0; i < n; i++)
            rowZ[i] = RowZ(y0, y1, i);
        double half = 0;
        for (int i = 0; i < n; i++)
            half += rowZ[i];
        double invZ = 1 / (2 * half); // w is symmetric: Z = 2 Σ_i<j w_ij
        for (int i = 0; i < n; i++)
        {
            var (gx, gy) = RowGradient(p.Slice(i * n, n), y0, y1, i, exaggeration, invZ);
            grad[2 * i] = 4 * gx;
            grad[2 * i + 1] = 4 * gy;
        }
    }

    /// <summary>Σ_j&gt;i w_ij, four j at a time.</summary>
    internal static double RowZ(ReadOnlySpan<double> y0, ReadOnlySpan<double> y1, int i)
    {
        int n = y0.Length, j = i + 1;
        double xi = y0[i], yi = y1[i];
        var one = Vector256.Create(1.0);
        var vx = Vector256.Create(xi);
        var vy = Vector256.Create(yi);
        var acc = Vector256<double>.Zero;
        for (; j + 4 <= n; j += 4)
        {
            var dx = vx - Vector256.Create(y0.Slice(j, 4));
            var dy = vy - Vector256.Create(y1.Slice(j, 4));
            acc += one / (one + dx * dx + dy * dy);
        }
        double sum = acc[0] + acc[1] + acc[2] + acc[3];
        for (; j < n; j++)
        {
            double dx = xi - y0[j], dy = yi - y1[j];
            sum += 1 / (1 + dx * dx + dy * dy);
        }
        return sum;
    }

    /// <summary>
    /// Σ_j (α p_ij − w_ij/Z) w_ij (y_i − y_j), the sum in eq. 5 without the factor 4, four j at a time. The j = i term is
    /// zero (y_i − y_i = 0), so it needs no branch.
    /// </summary>
    internal static (double X, double Y) RowGradient(ReadOnlySpan<double> pRow, ReadOnlySpan<double> y0, ReadOnlySpan<double> y1,
        int i, double exaggeration, double invZ)
    {
        int n = y0.Length, j = 0;
        double xi = y0[i], yi = y1[i];
        var one = Vector256.Create(1.0);
        var alpha = Vector256.Create(exaggeration);
        var iz = Vector256.Create(invZ);
        var vx = Vector256.Create(xi);
        var vy = Vector256.Create(yi);
        var accX = Vector256<double>.Zero;
        var accY = Vector256<double>.Zero;
        for (; j + 4 <= n; j += 4)
        {
            var dx = vx - Vector256.Create(y0.Slice(j, 4));
            var dy = vy - Vector256.Create(y1.Slice(j, 4));
            var w = one / (one + dx * dx + dy * dy);
            var m = (alpha * Vector256.Create(pRow.Slice(j, 4)) - w * iz) * w;
            accX += m * dx;
            accY += m * dy;
        }
        double gx = accX[0] + accX[1] + accX[2] + accX[3];
        double gy = accY[0] + accY[1] + accY[2] + accY[3];
        for (; j < n; j++)
        {
            double dx = xi - y0[j], dy = yi - y1[j];
            double w = 1 / (1 + dx * dx + dy * dy);
            double m = (exaggeration * pRow[j] - w * invZ) * w;
            gx += m * dx;
            gy += m * dy;
        }
        return (gx, gy);
    }

    /// <summary>Scalar reference of <see cref="Gradient"/>: the same equations, one pair at a time over the full matrix.</summary>
    internal static void GradientReference(ReadOnlySpan<double> p, int n, ReadOnlySpan<double> y, double exaggeration, Span<double> grad)
    {
        double z = StudentZ(y, n);
        for (int i = 0; i < n; i++)
        {
            double gx = 0, gy = 0;
            for (int j = 0; j < n; j++)
            {
                if (i == j)
                    continue;
                double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
                double w = 1 / (1 + dx * dx + dy * dy);
                double m = (exaggeration * p[i * n + j] - w / z) * w;
                gx += m * dx;
                gy += m * dy;
            }
            grad[2 * i] = 4 * gx;
            grad[2 * i + 1] = 4 * gy;
        }
    }

    /// <summary>Z = Σ_k≠l (1 + ‖y_k − y_l‖²)⁻¹, the normaliser of q_ij (eq. 4), pair by pair (the references' sum).</summary>
    private static double StudentZ(ReadOnlySpan<double> y, int n)
    {
        double z = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (i != j)
                {
                    double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
                    z += 1 / (1 + dx * dx + dy * dy);
                }
        return z;
    }

    /// <summary>C = KL(P‖Q) = Σ_i≠j p_ij log(p_ij / q_ij), the joint cost of section 3.1, with q_ij from eq. 4.</summary>
    internal static double Cost(ReadOnlySpan<double> p, int n, ReadOnlySpan<double> y)
    {
        double z = StudentZ(y, n);
        double c = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (i != j && p[i * n + j] > 0)
                {
                    double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
                    double q = 1 / (1 + dx * dx + dy * dy) / z;
                    c += p[i * n + j] * Math.Log(p[i * n + j] / q);
                }
        return c;
    }

    /// <summary>Standard normal deviates from SplitMix64 (Steele et al. 2014) by Box–Muller, so the start depends on the seed alone.</summary>
    private struct Gaussian(ulong seed)
    {
        private ulong _state = seed;
        private double _spare = double.NaN;

        public double Next()
        {
            if (!double.IsNaN(_spare))
            {
                double s = _spare;
                _spare = double.NaN;
                return s;
            }
            double u1 = (NextUInt64() >> 11) * (1.0 / (1UL << 53));
            double u2 = (NextUInt64() >> 11) * (1.0 / (1UL << 53));
            double r = Math.Sqrt(-2 * Math.Log(1 - u1)); // 1 − u1 is in (0, 1]
            _spare = r * Math.Sin(2 * Math.PI * u2);
            return r * Math.Cos(2 * Math.PI * u2);
        }

        private ulong NextUInt64()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
