using BenchmarkDotNet.Attributes;
using Nerve.Numerics;

namespace Nerve.Benchmarks;

/// <summary>
/// tanh over a batch of hidden layers (B = 256, H = 100): scalar MathF.Tanh (baseline), TensorPrimitives.Tanh (what the
/// double model uses), and <see cref="FastTanh"/> at 256-bit and at the widest width.
/// </summary>
[MemoryDiagnoser]
public class TanhBenchmarks
{
    private float[] _z = [], _h = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _z = [.. Enumerable.Range(0, 256 * 100).Select(_ => (float)(rng.NextDouble() * 8 - 4))];
        _h = new float[_z.Length];
    }

    [Benchmark(Baseline = true)]
    public void Scalar()
    {
        for (int i = 0; i < _z.Length; i++) _h[i] = MathF.Tanh(_z[i]);
    }

    [Benchmark]
    public void TensorPrimitives() => System.Numerics.Tensors.TensorPrimitives.Tanh(_z, _h);

    [Benchmark]
    public void Fast256() => FastTanh.Apply(_z, _h, SimdWidth.V256);

    [Benchmark]
    public void Fast() => FastTanh.Apply(_z, _h);
}
