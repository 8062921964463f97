using BenchmarkDotNet.Attributes;
using Nerve.Numerics;

namespace Nerve.Benchmarks;

/// <summary>The three products of a Linear layer; at batch 1 they are GEMV/GER, at batch B the GEMMs.</summary>
public enum Product
{
    /// <summary>Forward z (B, H) += x (B, In) · Wᵀ: Gemv / GemmNT.</summary>
    Forward,
    /// <summary>Input gradient dx (B, In) += δ (B, H) · W: GemvT / GemmNN.</summary>
    InputGradient,
    /// <summary>Weight gradient dW (H, In) += δᵀ x: Ger / GemmTN.</summary>
    WeightGradient,
}

/// <summary>
/// Each kernel at the shapes of the window model's first layer (H = 100, In = C·d = 250) and of its output layer
/// (K = 5 from H = 100), at batch 1 and 256: the scalar reference (baseline), the TensorPrimitives path (the kernels
/// before this change, still used for doubles), the fast path at 256-bit, and the fast path at the widest width.
/// </summary>
[MemoryDiagnoser]
public class KernelBenchmarks
{
    private float[] _w = [], _x = [], _h = [], _dw = [], _dx = [];

    [Params(1, 256)]
    public int Batch { get; set; }

    [Params(Product.Forward, Product.InputGradient, Product.WeightGradient)]
    public Product Product { get; set; }

    /// <summary>"100x250": the hidden layer W (H, In); "5x100": the output layer U (K, H).</summary>
    [Params("100x250", "5x100")]
    public string Layer { get; set; } = "";

    private int Out => Layer == "5x100" ? 5 : 100;
    private int In => Layer == "5x100" ? 100 : 250;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        float[] R(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1))];
        _w = R(Out * In);
        _x = R(Batch * In);
        _h = R(Batch * Out);
        _dw = new float[Out * In];
        _dx = new float[Batch * In];
    }

    [Benchmark(Baseline = true)]
    public void Scalar()
    {
        int o = Out, i = In, b = Batch;
        switch (Product)
        {
            case Product.Forward: if (b == 1) BlasReference<float>.Gemv(_h, _w, _x, o, i); else BlasReference<float>.GemmNT(_h, _x, _w, b, o, i); break;
            case Product.InputGradient: if (b == 1) BlasReference<float>.GemvT(_dx, _w, _h, o, i); else BlasReference<float>.GemmNN(_dx, _h, _w, b, i, o); break;
            default: if (b == 1) BlasReference<float>.Ger(_dw, 1f, _h, _x, o, i); else BlasReference<float>.GemmTN(_dw, _h, _x, o, i, b); break;
        }
    }

    [Benchmark]
    public void TensorPrimitives() => Run(SimdWidth.Scalar);

    [Benchmark]
    public void Fast256() => Run(SimdWidth.V256);

    [Benchmark]
    public void Fast() => Run(SimdWidth.Auto);

    private void Run(SimdWidth width)
    {
        int o = Out, i = In, b = Batch;
        switch (Product)
        {
            case Product.Forward: if (b == 1) BlasFloat.Gemv(_h, _w, _x, o, i, width); else BlasFloat.GemmNT(_h, _x, _w, b, o, i, width); break;
            case Product.InputGradient: if (b == 1) BlasFloat.GemvT(_dx, _w, _h, o, i, width); else BlasFloat.GemmNN(_dx, _h, _w, b, i, o, width); break;
            default: if (b == 1) BlasFloat.Ger(_dw, 1f, _h, _x, o, i, width); else BlasFloat.GemmTN(_dw, _h, _x, o, i, b, width); break;
        }
    }
}
