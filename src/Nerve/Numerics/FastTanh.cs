using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nerve.Numerics;

/// <summary>
/// tanh over float spans, vectorized: tanh|x| = 1 − 2/(e^{2|x|} + 1) with the sign of x put back, and e^u = 2^n e^r
/// by Cody–Waite reduction (n = u/ln 2 rounded by adding 1.5·2²³, r = u − n ln 2 in two parts, |r| ≤ ln 2 / 2) and the degree-7 Taylor
/// polynomial of e^r (truncation error &lt; r⁸/8! ≈ 5·10⁻⁹). |x| is clamped at 9, where tanh rounds to 1 in float.
/// Absolute error ≤ 2·10⁻⁷ against the exact tanh (tested against <see cref="Math.Tanh(double)"/>); the scalar and
/// vector paths run the same operations, so a value's result does not depend on where it sits in the span.
/// TensorPrimitives.Tanh is the reference (and what the double model uses).
/// </summary>
internal static class FastTanh
{
    private const float Clamp = 9f;
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693145751953125f;      // ln 2 to 16 bits: n · Ln2Hi is exact for |n| < 2⁸
    private const float Ln2Lo = 1.42860682030941723e-6f; // ln 2 − Ln2Hi
    // 1.5 · 2²³: adding it rounds u/ln 2 to an integer n held in the low mantissa bits, so (sum − Magic) is n as a float
    // and the float's bits shifted left by 23 are n · 2²³ (Magic's own bits shift out): no round and no conversion.
    private const float Magic = 12582912f;
    // e^r = Σ r^k / k!, k ≤ 7, in Horner form.
    private const float C2 = 1f / 2, C3 = 1f / 6, C4 = 1f / 24, C5 = 1f / 120, C6 = 1f / 720, C7 = 1f / 5040;

    /// <summary>y = tanh(x) elementwise; x and y may be the same span.</summary>
    public static void Apply(ReadOnlySpan<float> x, Span<float> y, SimdWidth width = SimdWidth.Auto)
    {
        if (y.Length < x.Length) throw new ArgumentException("output shorter than input", nameof(y));
        int n = x.Length, i = 0;
        var w = width == SimdWidth.Auto ? BlasFloat.Best : width;
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        if (w == SimdWidth.V512 && Vector512.IsHardwareAccelerated)
            for (; i + 16 <= n; i += 16) Tanh(Vector512.LoadUnsafe(ref rx, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
        if (w >= SimdWidth.V256 && Vector256.IsHardwareAccelerated)
            for (; i + 8 <= n; i += 8) Tanh(Vector256.LoadUnsafe(ref rx, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
        for (; i < n; i++) y[i] = Tanh(x[i]);
    }

    /// <summary>The same steps on one value.</summary>
    public static float Tanh(float x)
    {
        if (float.IsNaN(x)) return x;
        float a = MathF.Min(MathF.Abs(x), Clamp), u = a + a;
        float shifted = MathF.FusedMultiplyAdd(u, Log2E, Magic);
        float n = shifted - Magic;
        float r = MathF.FusedMultiplyAdd(-n, Ln2Lo, MathF.FusedMultiplyAdd(-n, Ln2Hi, u));
        float p = MathF.FusedMultiplyAdd(C7, r, C6);
        p = MathF.FusedMultiplyAdd(p, r, C5);
        p = MathF.FusedMultiplyAdd(p, r, C4);
        p = MathF.FusedMultiplyAdd(p, r, C3);
        p = MathF.FusedMultiplyAdd(p, r, C2);
        p = MathF.FusedMultiplyAdd(p, r, 1f);
        p = MathF.FusedMultiplyAdd(p, r, 1f);
        float e = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(p) + (BitConverter.SingleToInt32Bits(shifted) << 23)); // p · 2ⁿ
        float t = 1f - 2f / (e + 1f);
        return BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(t) | (BitConverter.SingleToInt32Bits(x) & int.MinValue));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Tanh(Vector256<float> x)
    {
        var sign = x & Vector256.Create(-0f);
        var a = Vector256.Min(Vector256.Abs(x), Vector256.Create(Clamp));
        var u = a + a;
        var shifted = Vector256.FusedMultiplyAdd(u, Vector256.Create(Log2E), Vector256.Create(Magic));
        var n = shifted - Vector256.Create(Magic);
        var r = Vector256.FusedMultiplyAdd(-n, Vector256.Create(Ln2Lo), Vector256.FusedMultiplyAdd(-n, Vector256.Create(Ln2Hi), u));
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(C7), r, Vector256.Create(C6));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C5));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        var e = (p.AsInt32() + Vector256.ShiftLeft(shifted.AsInt32(), 23)).AsSingle();
        var t = Vector256<float>.One - Vector256.Create(2f) / (e + Vector256<float>.One);
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), t | sign, x); // NaN stays NaN
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Tanh(Vector512<float> x)
    {
        var sign = x & Vector512.Create(-0f);
        var a = Vector512.Min(Vector512.Abs(x), Vector512.Create(Clamp));
        var u = a + a;
        var shifted = Vector512.FusedMultiplyAdd(u, Vector512.Create(Log2E), Vector512.Create(Magic));
        var n = shifted - Vector512.Create(Magic);
        var r = Vector512.FusedMultiplyAdd(-n, Vector512.Create(Ln2Lo), Vector512.FusedMultiplyAdd(-n, Vector512.Create(Ln2Hi), u));
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(C7), r, Vector512.Create(C6));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C5));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
        var e = (p.AsInt32() + Vector512.ShiftLeft(shifted.AsInt32(), 23)).AsSingle();
        var t = Vector512<float>.One - Vector512.Create(2f) / (e + Vector512<float>.One);
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), t | sign, x);
    }
}
