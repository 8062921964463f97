using System.Numerics;
using System.Numerics.Tensors;

namespace Nerve.Model;

/// <summary>
/// Sentence-level log-likelihood (Collobert et al. 2011 §3.3.2): a linear-chain CRF over the window scores s (n, K) of one
/// sentence, with transitions A (K, K), start scores a0 (K) and end scores an (K):
///   score(y) = a0[y₀] + Σ_t s[t, y_t] + Σ_t A[y_{t−1}, y_t] + an[y_{n−1}],   J = log Z − score(gold),
///   log Z = logsumexp over all paths, by the forward algorithm in log space.
/// Gradients by forward–backward: ∂J/∂s[t, j] = P(y_t = j) − [y_t = j],
/// ∂J/∂A[i, j] = Σ_t P(y_{t−1} = i, y_t = j) − #gold(i → j), ∂J/∂a0 and ∂J/∂an likewise at the ends.
/// </summary>
public static class Crf<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Forward and backward recursions: alpha, beta (n, K) in log space; marginals (n, K) = P(y_t = j).
    /// Returns log Z. Labels may be empty (scoring only); otherwise returns log Z − score(gold) through <paramref name="loss"/>.
    /// </summary>
    public static T Forward(Span<T> marginals, Span<T> alpha, Span<T> beta, ReadOnlySpan<T> s, ReadOnlySpan<T> a, ReadOnlySpan<T> a0, ReadOnlySpan<T> an, ReadOnlySpan<int> labels, int n, int k, out T loss)
    {
        // The recursions in scaled form (Rabiner 1989): with E = exp(A) and the step's maximum m taken out,
        // logsumexp_i(α[i] + A[i, j]) = m + log Σ_i exp(α[i] − m) E[i, j], a vector–matrix product instead of K² exps.
        // A column whose sum comes out below Tiny (every term near underflow) is redone exactly, term by term.
        Span<T> e = k * k <= 1024 ? stackalloc T[k * k] : new T[k * k];
        Span<T> w = k <= 256 ? stackalloc T[k] : new T[k];
        Span<T> sum = k <= 256 ? stackalloc T[k] : new T[k];
        TensorPrimitives.Exp(a[..(k * k)], e);
        // α₀[j] = a0[j] + s[0, j];  α_t[j] = s[t, j] + logsumexp_i(α_{t−1}[i] + A[i, j])
        for (int j = 0; j < k; j++) alpha[j] = a0[j] + s[j];
        for (int t = 1; t < n; t++)
        {
            var prev = alpha.Slice((t - 1) * k, k);
            T m = TensorPrimitives.Max<T>(prev);
            TensorPrimitives.Subtract(prev, m, w);
            TensorPrimitives.Exp(w, w);
            sum.Clear();
            for (int i = 0; i < k; i++)
                if (w[i] != T.Zero) TensorPrimitives.MultiplyAdd(e.Slice(i * k, k), w[i], sum, sum); // Σ_i w[i] E[i, :]
            for (int j = 0; j < k; j++)
                alpha[t * k + j] = s[t * k + j] + (sum[j] > Tiny && T.IsFinite(sum[j]) ? m + T.Log(sum[j]) : AlphaTerm(prev, a, j, k));
        }
        T logZ = LogSumExpPlus(alpha.Slice((n - 1) * k, k), an);
        // β_{n−1}[i] = an[i];  β_t[i] = logsumexp_j(A[i, j] + s[t+1, j] + β_{t+1}[j])
        for (int i = 0; i < k; i++) beta[(n - 1) * k + i] = an[i];
        for (int t = n - 2; t >= 0; t--)
        {
            var next = beta.Slice((t + 1) * k, k);
            TensorPrimitives.Add(s.Slice((t + 1) * k, k), next, w); // s[t+1, :] + β_{t+1}
            T m = TensorPrimitives.Max<T>(w);
            TensorPrimitives.Subtract(w, m, w);
            TensorPrimitives.Exp(w, w);
            for (int i = 0; i < k; i++)
            {
                T dot = TensorPrimitives.Dot<T>(e.Slice(i * k, k), w); // Σ_j E[i, j] w[j]
                beta[t * k + i] = dot > Tiny && T.IsFinite(dot) ? m + T.Log(dot) : BetaTerm(s.Slice((t + 1) * k, k), next, a, i, k);
            }
        }
        for (int t = 0; t < n; t++)
            for (int j = 0; j < k; j++)
                marginals[t * k + j] = T.Exp(alpha[t * k + j] + beta[t * k + j] - logZ);
        loss = labels.IsEmpty ? T.Zero : logZ - PathScore(s, a, a0, an, labels, n, k);
        return logZ;
    }

    /// <summary>
    /// log Z_c, the log partition function of the paths whose label at each position t ∈ [<paramref name="from"/>,
    /// from + m) lies in the allowed set <paramref name="allowed"/>[(t − from)·K + j] (m = allowed.Length / K), all other
    /// positions free. With α and β of <see cref="Forward"/> (unconstrained, in log space) only the m constrained steps
    /// are recomputed:
    ///   α^c_from[j] = [j allowed] (s[from, j] + (from = 0 ? a0[j] : logsumexp_i(α_{from−1}[i] + A[i, j]))),
    ///   α^c_t[j]    = [j allowed] (s[t, j] + logsumexp_i(α^c_{t−1}[i] + A[i, j])),
    ///   log Z_c     = logsumexp_j(α^c_last[j] + β_last[j])   (β_{n−1} = an),
    /// where [·] maps a forbidden label to −∞. P(constraint) = exp(log Z_c − log Z). <paramref name="scratch"/> holds 2K.
    /// </summary>
    public static T ConstrainedLogZ(ReadOnlySpan<T> s, ReadOnlySpan<T> a, ReadOnlySpan<T> a0, ReadOnlySpan<T> alpha, ReadOnlySpan<T> beta, int n, int k, int from, ReadOnlySpan<bool> allowed, Span<T> scratch)
    {
        int m = allowed.Length / k;
        if (from < 0 || m < 1 || from + m > n || allowed.Length != m * k) throw new ArgumentOutOfRangeException(nameof(allowed), "the constrained positions must lie inside the sentence");
        var cur = scratch[..k];
        var prev = scratch.Slice(k, k);
        for (int j = 0; j < k; j++)
            cur[j] = !allowed[j] ? T.NegativeInfinity : s[from * k + j] + (from == 0 ? a0[j] : AlphaTerm(alpha.Slice((from - 1) * k, k), a, j, k));
        for (int t = from + 1; t < from + m; t++)
        {
            cur.CopyTo(prev);
            for (int j = 0; j < k; j++)
                cur[j] = !allowed[(t - from) * k + j] ? T.NegativeInfinity : s[t * k + j] + AlphaTerm(prev, a, j, k);
        }
        return LogSumExpPlus(cur, beta.Slice((from + m - 1) * k, k));
    }

    /// <summary>Below this a scaled sum may have lost terms to underflow; the step is then taken in log space.</summary>
    private static readonly T Tiny = T.CreateTruncating(1e-20);

    /// <summary>logsumexp_i(α_{t−1}[i] + A[i, j]) term by term (the unscaled recursion).</summary>
    private static T AlphaTerm(ReadOnlySpan<T> prev, ReadOnlySpan<T> a, int j, int k)
    {
        T max = T.NegativeInfinity;
        for (int i = 0; i < k; i++) max = T.Max(max, prev[i] + a[i * k + j]);
        if (T.IsNegativeInfinity(max)) return max;
        T sum = T.Zero;
        for (int i = 0; i < k; i++) sum += T.Exp(prev[i] + a[i * k + j] - max);
        return max + T.Log(sum);
    }

    /// <summary>logsumexp_j(A[i, j] + s[t+1, j] + β_{t+1}[j]) term by term.</summary>
    private static T BetaTerm(ReadOnlySpan<T> sNext, ReadOnlySpan<T> next, ReadOnlySpan<T> a, int i, int k)
    {
        T max = T.NegativeInfinity;
        for (int j = 0; j < k; j++) max = T.Max(max, a[i * k + j] + sNext[j] + next[j]);
        if (T.IsNegativeInfinity(max)) return max;
        T sum = T.Zero;
        for (int j = 0; j < k; j++) sum += T.Exp(a[i * k + j] + sNext[j] + next[j] - max);
        return max + T.Log(sum);
    }

    /// <summary>score(y) of a tag path.</summary>
    public static T PathScore(ReadOnlySpan<T> s, ReadOnlySpan<T> a, ReadOnlySpan<T> a0, ReadOnlySpan<T> an, ReadOnlySpan<int> y, int n, int k)
    {
        T score = a0[y[0]] + an[y[n - 1]];
        for (int t = 0; t < n; t++)
        {
            score += s[t * k + y[t]];
            if (t > 0) score += a[y[t - 1] * k + y[t]];
        }
        return score;
    }

    /// <summary>
    /// ∂J/∂s += scale · (marginals − onehot(y)); ∂J/∂A += scale · (Σ_t pairwise marginals − gold transitions);
    /// ∂J/∂a0, ∂J/∂an likewise. Needs the alpha/beta/marginals of <see cref="Forward"/>.
    /// </summary>
    public static void Backward(Span<T> ds, Span<T> da, Span<T> da0, Span<T> dan, ReadOnlySpan<T> marginals, ReadOnlySpan<T> alpha, ReadOnlySpan<T> beta, ReadOnlySpan<T> s, ReadOnlySpan<T> a, T logZ, ReadOnlySpan<int> y, int n, int k, T scale)
    {
        for (int t = 0; t < n; t++)
        {
            for (int j = 0; j < k; j++) ds[t * k + j] += scale * marginals[t * k + j];
            ds[t * k + y[t]] -= scale;
        }
        for (int j = 0; j < k; j++)
        {
            da0[j] += scale * marginals[j];
            dan[j] += scale * marginals[(n - 1) * k + j];
        }
        da0[y[0]] -= scale;
        dan[y[n - 1]] -= scale;
        // P(y_{t−1} = i, y_t = j) = exp(α_{t−1}[i] + A[i, j] + s[t, j] + β_t[j] − log Z)
        for (int t = 1; t < n; t++)
        {
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                    da[i * k + j] += scale * T.Exp(alpha[(t - 1) * k + i] + a[i * k + j] + s[t * k + j] + beta[t * k + j] - logZ);
            da[y[t - 1] * k + y[t]] -= scale;
        }
    }

    /// <summary>The best path argmax_y score(y) (Viterbi), written to <paramref name="path"/>; returns its score.</summary>
    public static T Viterbi(Span<int> path, Span<T> delta, Span<int> backpointers, ReadOnlySpan<T> s, ReadOnlySpan<T> a, ReadOnlySpan<T> a0, ReadOnlySpan<T> an, int n, int k)
    {
        for (int j = 0; j < k; j++) delta[j] = a0[j] + s[j];
        for (int t = 1; t < n; t++)
            for (int j = 0; j < k; j++)
            {
                int best = 0;
                T bestScore = delta[(t - 1) * k] + a[j];
                for (int i = 1; i < k; i++)
                {
                    T v = delta[(t - 1) * k + i] + a[i * k + j];
                    if (v > bestScore) { bestScore = v; best = i; }
                }
                delta[t * k + j] = bestScore + s[t * k + j];
                backpointers[t * k + j] = best;
            }
        int last = 0;
        T total = delta[(n - 1) * k] + an[0];
        for (int j = 1; j < k; j++)
        {
            T v = delta[(n - 1) * k + j] + an[j];
            if (v > total) { total = v; last = j; }
        }
        path[n - 1] = last;
        for (int t = n - 1; t > 0; t--) path[t - 1] = backpointers[t * k + path[t]];
        return total;
    }

    private static T LogSumExpPlus(ReadOnlySpan<T> x, ReadOnlySpan<T> y)
    {
        T max = T.NegativeInfinity;
        for (int i = 0; i < x.Length; i++) max = T.Max(max, x[i] + y[i]);
        if (T.IsNegativeInfinity(max)) return max;
        T sum = T.Zero;
        for (int i = 0; i < x.Length; i++) sum += T.Exp(x[i] + y[i] - max);
        return max + T.Log(sum);
    }
}
