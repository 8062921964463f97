using BenchmarkDotNet.Attributes;
using Nerve.Autodiff;
using Nerve.Features;
using Nerve.Model;
using Nerve.Training;

namespace Nerve.Benchmarks;

/// <summary>
/// One SGD training step of the PA4 network (C = 5, d = 50, H = 100, K = 5, vocabulary 10k): forward, backward and the
/// sparse update, with the hand-derived engine (baseline) and with the computation graph.
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private WindowModel<float> _model = null!;
    private Optimizer<float> _optimizer = null!;
    private ManualBackprop<float> _manual = null!;
    private GraphBackprop<float> _graph = null!;
    private int[] _ids = [];
    private int[] _labels = [];
    private float[] _gradients = [];
    private RowSet[] _touched = [];
    private readonly bool[] _train = [true];

    [Params(1, 32)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var config = new ModelConfig
        {
            Window = 5,
            Hidden = [100],
            Labels = ["O", "PER", "LOC", "ORG", "MISC"],
            Features = [new FeatureSpec("word", 10_000, 50)],
        };
        var rng = new Random(1);
        _model = new WindowModel<float>(config);
        _model.Initialize(rng);
        _optimizer = new Optimizer<float>(_model.Parameters, OptimizerKind.Sgd);
        _manual = new ManualBackprop<float>(_model, Batch);
        _graph = new GraphBackprop<float>(_model, Batch);
        _ids = Enumerable.Range(0, Batch * config.Window).Select(_ => rng.Next(10_000)).ToArray();
        _labels = Enumerable.Range(0, Batch).Select(_ => rng.Next(5)).ToArray();
        _gradients = new float[_model.Parameters.Count];
        _touched = [new RowSet(10_000)];
    }

    [Benchmark(Baseline = true)]
    public float Manual() => Step(_manual);

    [Benchmark]
    public float Graph() => Step(_graph);

    private float Step(IBackprop<float> engine)
    {
        float loss = engine.LossAndGradient(_ids, _labels, Batch, 1f / Batch, 0f, _gradients, _touched, _train);
        _optimizer.Step(_gradients, _touched, _model.Tables, _train, 1e-4f);
        return loss;
    }
}
