using BenchmarkDotNet.Attributes;
using Nerve.Diagnostics;
using Nerve.Model;
using Nerve.Training;

namespace Nerve.Benchmarks;

/// <summary>
/// One training step of WindowModel&lt;float&gt; (C = 5, d = 50, H = 100, K = 5, vocabulary 20k): forward, backward,
/// sparse embedding update and optimizer step through the step the trainer chooses (<see cref="TrainSteps.Create"/>),
/// on one thread: one call is a batch, or for batch-1 SGD a chunk of the pipelined step. The step must allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class TrainStepBenchmarks
{
    private ITrainStep _step = null!;
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
        var setup = new StepSetup(model, new Optimizer<float>(model.Parameters, Optimizer), [true], new TrainOptions { Batch = Batch, Threads = 1, Optimizer = Optimizer }, (m, b) => new ManualBackprop<float>(m, b));
        _step = TrainSteps.Create(setup, _data);
        _order = new int[_data.Count];
        Trainer.Shuffle(_order, 1, 1);
    }

    [Benchmark]
    public double Step()
    {
        int n = _step.Stride;
        if (_offset + n > _order.Length) _offset = 0;
        double loss = _step.Run(_order, _offset, n, 0.01f, 1);
        _offset += n;
        return loss;
    }
}
