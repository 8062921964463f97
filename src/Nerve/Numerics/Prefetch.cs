using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Nerve.Numerics;

/// <summary>
/// Software prefetch for rows of large tables visited in a known but scattered order (cached first-layer products,
/// embedding gradient rows): asking for row i + a few while working on row i hides the memory latency the hardware
/// prefetchers cannot predict. x86 PREFETCHT0; nothing on other hardware.
/// </summary>
internal static unsafe class Prefetch
{
    /// <summary>Rows (or windows) between a prefetch and its use.</summary>
    public const int Ahead = 4;

    /// <summary>Asks for every cache line of [p, p + bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Lines(void* p, int bytes)
    {
        if (!Sse.IsSupported) return;
        byte* q = (byte*)p;
        for (int line = 0; line < bytes; line += 64) Sse.Prefetch0(q + line);
        Sse.Prefetch0(q + bytes - 1);
    }

    /// <summary>Asks for the values [offset, offset + length) of <paramref name="buffer"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Row<T>(ReadOnlySpan<T> buffer, int offset, int length) where T : unmanaged
    {
        fixed (T* p = buffer) Lines(p + offset, length * sizeof(T));
    }
}
