using System.Collections.Concurrent;
using System.Numerics;
using System.Numerics.Tensors;
using Nerve.Features;

namespace Nerve.Model;

/// <summary>
/// The character-level convolution of CharWNN (dos Santos &amp; Guimarães 2015, §2.1), one word at a time. A word is a
/// row of character ids c_1 … c_L (⟨w⟩, its characters, ⟨/w⟩, padding: <see cref="CharAlphabet"/>); its feature is
///   z_m = Wchr[c_m] ⊕ Wchr[c_{m+1}] ⊕ … ⊕ Wchr[c_{m+k−1}]        (k·d, the lecture's window x, over characters)
///   u_m = W0 z_m + b0                                          (F, one score per filter: seed z = Wx + b)
///   r_f = max_m u_{m,f}                                        (F, CharWNN's r_wch = max_m [W0 z_m + b0])
/// for the M = max(1, n − k + 1) windows that start within the n ids up to ⟨/w⟩. r joins the window slot beside the
/// word vector, so ∂J/∂r is the slot's piece of ∂J/∂x = Wᵀδ2 (seed eq. 2c).
///
/// Backward, by hand ("max routes", lecture 3). Let a_f be the position of filter f's maximum, the FIRST m with
/// u_{m,f} = r_f (ties go to the earliest position, deterministically). r_f depends on u_{a_f,f} alone, so
///   ∂J/∂u_{m,f} = ∂J/∂r_f · [m = a_f]                          (max routes the upstream gradient to the winner)
/// and the rest is the seed's affine layer per position (eq. 1b–1d with δ = ∂J/∂u_m), summed over positions:
///   ∂J/∂W0[f,·] += Σ_m ∂J/∂u_{m,f} z_mᵀ = ∂J/∂r_f · z_{a_f}ᵀ    (1d)
///   ∂J/∂b0[f]   += ∂J/∂r_f                                       (1c)
///   ∂J/∂z_m     += W0ᵀ ∂J/∂u_m = Σ_{f: a_f = m} ∂J/∂r_f W0[f,·]ᵀ  (1b)
///   ∂J/∂Wchr[c_{m+j}] += (∂J/∂z_m)[j·d … (j+1)·d)              (the lookup, as eq. 3e for L)
/// so each filter touches one window of k characters: the cost is F·k·d per word, not M·F·k·d.
/// Shapes: Wchr (A, d), W0 (F, k·d), b0 (F), r (F), arg (F), z (M, k·d), u (M, F).
/// </summary>
public static class CharConvolution<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>M: the windows of <paramref name="width"/> ids that start within the ids up to ⟨/w⟩ (at least one).</summary>
    public static int Positions(ReadOnlySpan<int> chars, int width)
    {
        int n = chars.IndexOf(CharAlphabet.End) + 1;
        if (n == 0) n = chars.Length;
        return Math.Max(1, n - width + 1);
    }

    /// <summary>r (F) = max_m (W0 z_m + b0) and arg (F) the first m attaining it; z (≥ M·k·d) and u (≥ M·F) are scratch.</summary>
    public static void Forward(Span<T> r, Span<int> arg, Span<T> z, Span<T> u, ReadOnlySpan<int> chars, ReadOnlySpan<T> wchr, ReadOnlySpan<T> w0, ReadOnlySpan<T> b0, int dim, int width, int filters)
    {
        int m = Positions(chars, width), kd = width * dim;
        for (int p = 0; p < m; p++)
            for (int j = 0; j < width; j++)
                wchr.Slice(chars[p + j] * dim, dim).CopyTo(z.Slice(p * kd + j * dim, dim)); // z_p = Wchr[c_p] ⊕ … ⊕ Wchr[c_{p+k−1}]
        var scores = u[..(m * filters)];
        Linear<T>.Forward(scores, z[..(m * kd)], w0, b0, m, kd, filters); // u_p = W0 z_p + b0
        for (int f = 0; f < filters; f++)
        {
            T best = scores[f];
            int at = 0;
            for (int p = 1; p < m; p++)
            {
                T v = scores[p * filters + f];
                if (v > best) // strict: a tie keeps the earlier position
                {
                    best = v;
                    at = p;
                }
            }
            r[f] = best;
            arg[f] = at;
        }
    }

    /// <summary>
    /// With dr = ∂J/∂r (F) and the winners arg (F) of <see cref="Forward"/>: ∂J/∂W0 += ∂J/∂r_f z_{a_f}ᵀ row by row,
    /// ∂J/∂b0 += ∂J/∂r, ∂J/∂Wchr[c_{a_f + j}] += ∂J/∂r_f W0[f, j·d …) (the derivation above).
    /// </summary>
    public static void Backward(Span<T> dWchr, Span<T> dW0, Span<T> db0, ReadOnlySpan<T> dr, ReadOnlySpan<int> arg, ReadOnlySpan<int> chars, ReadOnlySpan<T> wchr, ReadOnlySpan<T> w0, int dim, int width, int filters)
    {
        int kd = width * dim;
        for (int f = 0; f < filters; f++)
        {
            T g = dr[f];
            int p = arg[f];
            db0[f] += g;
            for (int j = 0; j < width; j++)
            {
                int c = chars[p + j];
                var dw = dW0.Slice(f * kd + j * dim, dim);
                TensorPrimitives.MultiplyAdd(wchr.Slice(c * dim, dim), g, dw, dw);
                var de = dWchr.Slice(c * dim, dim);
                TensorPrimitives.MultiplyAdd(w0.Slice(f * kd + j * dim, dim), g, de, de);
            }
        }
    }
}

/// <summary>
/// The character feature r of each distinct word seen, for tagging: a word's r depends on its character ids alone,
/// so once computed it is looked up (no allocation on a hit). Shared by the threads of one tagger; bounded by
/// <see cref="Capacity"/> words, beyond which words are computed each time. A value is stored whole before it can be
/// found, and the same word always computes the same r, so a race only computes a word twice.
/// </summary>
public sealed class CharFeatureCache<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ConcurrentDictionary<string, T[]> _map = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, T[]>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public CharFeatureCache(int capacity = 1 << 20)
    {
        Capacity = capacity;
        _lookup = _map.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Capacity { get; }

    /// <summary>Words cached so far.</summary>
    public int Count => _map.Count;

    /// <summary>Copies the cached r of the word with ids <paramref name="chars"/> into <paramref name="r"/>, if there is one.</summary>
    public bool TryGet(ReadOnlySpan<int> chars, Span<T> r)
    {
        Span<char> key = stackalloc char[2 * chars.Length];
        Key(chars, key);
        if (!_lookup.TryGetValue(key, out var value)) return false;
        value.CopyTo(r);
        return true;
    }

    /// <summary>Remembers r for the word with ids <paramref name="chars"/> while there is room.</summary>
    public void Add(ReadOnlySpan<int> chars, ReadOnlySpan<T> r)
    {
        if (_map.Count >= Capacity) return;
        Span<char> key = stackalloc char[2 * chars.Length];
        Key(chars, key);
        _map.TryAdd(new string(key), r.ToArray());
    }

    /// <summary>Two UTF-16 units per id: an injective key for any alphabet size.</summary>
    private static void Key(ReadOnlySpan<int> chars, Span<char> key)
    {
        for (int i = 0; i < chars.Length; i++)
        {
            key[2 * i] = (char)(chars[i] & 0xFFFF);
            key[2 * i + 1] = (char)((uint)chars[i] >> 16);
        }
    }
}
