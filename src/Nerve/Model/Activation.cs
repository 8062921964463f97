using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Nerve.Numerics;

namespace Nerve.Model;

/// <summary>The hidden nonlinearity f in h = f(z) (seed: h = f(Wx + b)).</summary>
public enum ActivationKind
{
    Tanh,
    Sigmoid,
    Relu,
    HardTanh,
}

/// <summary>Elementwise f and its derivative; Backward implements dz += dh ⊙ f′(z) (seed eq. 1a/1b).</summary>
public static class Activation<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>h = f(z).</summary>
    public static void Forward(Span<T> h, ReadOnlySpan<T> z, ActivationKind kind)
    {
        switch (kind)
        {
            case ActivationKind.Tanh:
                if (typeof(T) == typeof(float)) FastTanh.Apply(MemoryMarshal.Cast<T, float>(z), MemoryMarshal.Cast<T, float>(h)); // vectorized, |error| ≤ 2e-7
                else TensorPrimitives.Tanh(z, h);
                break;
            case ActivationKind.Sigmoid:
                TensorPrimitives.Sigmoid(z, h);
                break;
            case ActivationKind.Relu:
                TensorPrimitives.Max(z, T.Zero, h);
                break;
            case ActivationKind.HardTanh:
                TensorPrimitives.Clamp(z, -T.One, T.One, h);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    /// <summary>dz += dh ⊙ f′(z), with f′ read from z or from h = f(z): tanh′ = 1 − h², σ′ = h(1 − h).</summary>
    public static void Backward(Span<T> dz, ReadOnlySpan<T> dh, ReadOnlySpan<T> z, ReadOnlySpan<T> h, ActivationKind kind)
    {
        switch (kind)
        {
            case ActivationKind.Tanh:
            case ActivationKind.Sigmoid:
            {
                bool tanh = kind == ActivationKind.Tanh;
                int n = dz.Length, i = 0;
                if (Vector.IsHardwareAccelerated)
                {
                    // The scalar loop's operations lane by lane (no fused multiply-add), so both give the same bits.
                    // Loads and stores by reference, which stay intrinsics where this loop is inlined into the step.
                    var one = Vector<T>.One;
                    ref T rh = ref MemoryMarshal.GetReference(h);
                    ref T rd = ref MemoryMarshal.GetReference(dh);
                    ref T rz = ref MemoryMarshal.GetReference(dz);
                    if (h.Length < n || dh.Length < n) throw new ArgumentException("h and dh must be as long as dz");
                    for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
                    {
                        var hv = Vector.LoadUnsafe(ref rh, (nuint)i);
                        var d = Vector.LoadUnsafe(ref rd, (nuint)i);
                        var g = tanh ? d * (one - hv * hv) : d * hv * (one - hv);
                        (Vector.LoadUnsafe(ref rz, (nuint)i) + g).StoreUnsafe(ref rz, (nuint)i);
                    }
                }
                for (; i < n; i++) dz[i] += tanh ? dh[i] * (T.One - h[i] * h[i]) : dh[i] * h[i] * (T.One - h[i]);
                break;
            }
            case ActivationKind.Relu:
                // max routes: the gradient flows only where z > 0 (lecture 3).
                for (int i = 0; i < dz.Length; i++) if (z[i] > T.Zero) dz[i] += dh[i];
                break;
            case ActivationKind.HardTanh:
                for (int i = 0; i < dz.Length; i++) if (z[i] > -T.One && z[i] < T.One) dz[i] += dh[i];
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    public static string Name(ActivationKind kind) => kind switch
    {
        ActivationKind.Tanh => "tanh",
        ActivationKind.Sigmoid => "sigmoid",
        ActivationKind.Relu => "relu",
        ActivationKind.HardTanh => "hardtanh",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
