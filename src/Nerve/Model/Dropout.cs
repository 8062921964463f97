using System.Numerics;

namespace Nerve.Model;

/// <summary>Inverted dropout masks: each entry is 0 with probability p, else 1/(1 − p), from a counter-based hash.</summary>
public static class Dropout
{
    /// <summary>mask[i] from SplitMix64(seed, stream, i), so the same arguments give the same mask on any thread.</summary>
    public static void Mask<T>(Span<T> mask, double p, ulong seed, int stream) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T keep = T.CreateTruncating(1.0 / (1.0 - p));
        ulong threshold = (ulong)(p * ulong.MaxValue);
        ulong baseKey = seed ^ ((ulong)stream * 0x9E3779B97F4A7C15UL);
        for (int i = 0; i < mask.Length; i++)
            mask[i] = Mix(baseKey + (ulong)i * 0xBF58476D1CE4E5B9UL) < threshold ? T.Zero : keep;
    }

    /// <summary>SplitMix64's finaliser.</summary>
    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
