using BenchmarkDotNet.Attributes;
using Nerve.Reports;

namespace Nerve.Benchmarks;

/// <summary>
/// One t-SNE gradient (eq. 5) at N = 2,000: the scalar reference over the full matrix (baseline) against
/// <see cref="Tsne"/>'s Vector256 rows with Z summed over j &gt; i.
/// </summary>
[MemoryDiagnoser]
public class TsneBenchmarks
{
    private const int N = 2000;
    private double[] _p = [], _y = [], _grad = [], _scratch = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _p = new double[N * N];
        for (int i = 0; i < N; i++)
            for (int j = i + 1; j < N; j++)
                _p[i * N + j] = _p[j * N + i] = rng.NextDouble();
        double sum = _p.Sum();
        for (int k = 0; k < _p.Length; k++)
            _p[k] /= sum;
        _y = [.. Enumerable.Range(0, 2 * N).Select(_ => rng.NextDouble() * 40 - 20)];
        _grad = new double[2 * N];
        _scratch = new double[3 * N];
    }

    [Benchmark(Baseline = true)]
    public void Reference() => Tsne.GradientReference(_p, N, _y, 1, _grad);

    [Benchmark]
    public void Vector256() => Tsne.Gradient(_p, N, _y, 1, _grad, _scratch);
}
