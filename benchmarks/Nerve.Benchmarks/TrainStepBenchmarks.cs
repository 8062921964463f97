using BenchmarkDotNet.Attributes;
using Nerve.Model;
using Nerve.Training;

namespace Nerve.Benchmarks;

/// <summary>
/// One training step of WindowModel&lt;float&gt; (C = 5, d = 50, H = 100, K = 5, vocabulary 20k): forward, backward,
/// sparse embedding update and optimizer step through the trainer's own <see cref="StepRunner"/>, on one thread.
/// The step must allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class TrainStepBenchmarks
{
    private StepRunner _runner = null!;
    private SyntheticWindows _data = null!;
    private int[] _order = [];
    private int _offset;

    [Params(1, 32, 256)]
    public int Batch { get; set; }

    [Params(OptimizerKind.Sgd, OptimizerKind.AdaGrad)]
    public OptimizerKind Optimizer { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var o = new BenchOptions { Optimizer = Optimizer, Tokens = 20_000 };
        var model = Bench.Model(o);
        _data = new SyntheticWindows(o.Tokens, o.Vocabulary, o.Window, o.Classes, o.Seed);
        _runner = new StepRunner(model, new Optimizer<float>(model.Parameters, Optimizer), [true], new TrainOptions { Batch = Batch, Threads = 1, Optimizer = Optimizer }, Batch, _data.WindowWidth, (m, b) => new ManualBackprop<float>(m, b));
        _order = new int[_data.Count];
        Trainer.Shuffle(_order, 1, 1);
    }

    [Benchmark]
    public double Step()
    {
        if (_offset + Batch > _order.Length) _offset = 0;
        double loss = _runner.Step(_data, _order, _offset, Batch, 0.01f, 1);
        _offset += Batch;
        return loss;
    }
}
