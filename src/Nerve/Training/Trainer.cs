using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using Nerve.Corpus;
using Nerve.Features;
using Nerve.IO;
using Nerve.Model;

namespace Nerve.Training;

/// <summary>What one epoch did.</summary>
public sealed record EpochReport(int Epoch, double Loss, double TrainF1, double? DevF1, double TokensPerSecond, TimeSpan Elapsed, bool Best);

/// <summary>Receives progress while training (a progress bar, a log).</summary>
public interface ITrainingObserver
{
    void EpochStarted(int epoch, int windows);
    void Progress(int windowsDone);
    void EpochFinished(EpochReport report);
}

/// <summary>
/// F1 of a model on gold sentences, the measure by which the trainer keeps its best epoch. Scoring means tagging and
/// evaluating, which come after training in the data flow, so the caller hands it in (Evaluation's ModelEvaluation.F1).
/// </summary>
public delegate double Scorer(NerModel model, IReadOnlyList<Sentence> gold, int threads);

/// <summary>The outcome of training: the epochs run and the best one by dev F1 (by train F1 without dev data).</summary>
public sealed record TrainResult(IReadOnlyList<EpochReport> Epochs, int BestEpoch, double BestF1, bool Interrupted, TimeSpan Elapsed);

/// <summary>
/// Trains a <see cref="NerModel"/> by minibatch SGD or AdaGrad on shuffled windows (PA4 §4.2 with batch 1), keeping the
/// parameters of the best epoch. With a checkpoint path the full state is saved after every epoch and on interruption,
/// and <see cref="Train"/> resumes from it: a resumed run ends with the same model as an uninterrupted one (except
/// with <see cref="TrainOptions.Hogwild"/> on several threads, which is not deterministic to begin with).
/// </summary>
public sealed class Trainer
{
    private readonly NerModel _model;
    private readonly TrainOptions _o;
    private readonly WindowSet _train;
    private readonly IReadOnlyList<Sentence> _trainSentences;
    private readonly IReadOnlyList<Sentence>? _dev;
    private readonly Optimizer<float> _optimizer;
    private readonly bool[] _trainTable;
    private readonly ITrainStep _step;
    private readonly Scorer _score;
    private readonly int _units;
    private float[] _best;
    private readonly float[]? _average; // θ̄ with TrainOptions.Average
    private readonly float[]? _iterate; // θ while θ̄ is scored

    /// <summary>Training units (windows, or sentences for the CRF) between two updates of the parameter average.</summary>
    public const int AverageEvery = 16;

    /// <summary>2 added the SHA-256 (metadata "sha256"); checkpoints without a version are read unchecked.</summary>
    public const int CheckpointVersion = 2;
    private const string ChecksumKey = "sha256";

    /// <summary>Epoch reports as JSON; a non-finite figure is written as "NaN" or "Infinity" rather than failing the save.</summary>
    private static readonly System.Text.Json.JsonSerializerOptions HistoryJson = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <param name="score">F1 on train and dev after each epoch (ModelEvaluation.F1).</param>
    /// <param name="engine">Makes a gradient engine for a maximal batch (one per worker); the hand-derived one by default.</param>
    public Trainer(NerModel model, IReadOnlyList<Sentence> train, IReadOnlyList<Sentence>? dev, TrainOptions options, Scorer score, Func<WindowModel<float>, int, IBackprop<float>>? engine = null)
    {
        _score = score;
        options.Validate(model.Config.Output);
        _model = model;
        _o = options;
        _trainSentences = train;
        _dev = dev;
        _train = model.Windows(train);
        _units = model.Network.Head.Traits.SentenceUnits ? train.Count : _train.Count; // a unit is a window, or for the CRF a sentence
        for (int i = 0; i < _train.Count; i++)
            if (_train.Labels[i] < 0) throw new NerveException($"training tag at window {i} is not one of the model's labels");
        _optimizer = new Optimizer<float>(model.Network.Parameters, options.Optimizer);
        _trainTable = new bool[model.Config.Features.Count];
        for (int k = 0; k < _trainTable.Length; k++) _trainTable[k] = k != 0 || !options.FixEmbeddings;
        _best = (float[])model.Network.Parameters.Values.Clone();
        if (options.Average > 0)
        {
            _average = (float[])_best.Clone();
            _iterate = new float[_best.Length];
        }
        var setup = new StepSetup(model.Network, _optimizer, _trainTable, options, engine ?? ((m, b) => new ManualBackprop<float>(m, b)));
        _step = TrainSteps.Create(setup, _train, _train);
    }

    /// <summary>The training step chosen for the model and options, in one line (which step, on how many threads, and why).</summary>
    public string Step => _step.Description;

    /// <summary>
    /// Runs the epochs. <paramref name="onBest"/> is called with the model holding the best parameters whenever dev F1
    /// improves. On return the model holds the best parameters.
    /// </summary>
    public TrainResult Train(ITrainingObserver? observer = null, Action<NerModel>? onBest = null, string? checkpoint = null, bool resume = false, CancellationToken cancel = default)
    {
        var p = _model.Network.Parameters;
        var reports = new List<EpochReport>();
        int firstEpoch = 1, startWindow = 0, bestEpoch = 0;
        double bestF1 = double.NegativeInfinity;
        if (resume && checkpoint is not null)
        {
            if (!File.Exists(checkpoint)) throw new NerveException($"{checkpoint}: --resume needs the checkpoint of an interrupted run, found none");
            (firstEpoch, startWindow, bestEpoch, bestF1) = LoadCheckpoint(checkpoint, reports);
        }
        var total = Stopwatch.StartNew();
        var order = new int[_units];
        int patienceLeft = _o.Patience;
        for (int epoch = firstEpoch; epoch <= _o.Epochs; epoch++)
        {
            Shuffle(order, _o.Seed, epoch);
            float lr = (float)(_o.LearningRate / (1 + _o.LearningRateDecay * (epoch - 1)));
            observer?.EpochStarted(epoch, _units);
            var watch = Stopwatch.StartNew();
            double loss = 0;
            int done = startWindow;
            int stride = _step.Stride; // a chunk of steps for Hogwild and the batch-1 pipeline: cancellation, checkpoints and progress wait for its end
            for (int start = startWindow; start < order.Length; start += stride)
            {
                if (cancel.IsCancellationRequested)
                {
                    if (checkpoint is not null) SaveCheckpoint(checkpoint, epoch, start, bestEpoch, bestF1, reports);
                    return new TrainResult(reports, bestEpoch, bestF1, true, total.Elapsed);
                }
                int b = Math.Min(stride, order.Length - start);
                double stepLoss = _step.Run(order, start, b, lr, epoch);
                if (!double.IsFinite(stepLoss)) throw Diverged(epoch, start / stride + 1, $"loss {stepLoss}", checkpoint);
                // θ̄ ← β θ̄ + (1 − β) θ = θ̄ + (1 − β)(θ − θ̄), each time the epoch's position crosses a multiple of AverageEvery
                // (so a resumed run averages where an uninterrupted one does).
                if (_average is not null && (start + b) / AverageEvery > start / AverageEvery)
                    TensorPrimitives.Lerp(_average, p.Values, (float)(1 - _o.Average), _average);
                loss += stepLoss;
                done += b;
                if (_step.Chunked || (start / _o.Batch) % 64 == 0) observer?.Progress(done);
            }
            startWindow = 0;
            if (FirstNonFinite() is { } bad) throw Diverged(epoch, (order.Length + stride - 1) / stride, $"values in parameter block {bad}", checkpoint);
            observer?.Progress(_units);
            double seconds = watch.Elapsed.TotalSeconds;
            if (_average is not null)
            {
                p.Values.CopyTo(_iterate!, 0); // score (and keep) θ̄, then train on from θ
                _average.CopyTo(p.Values, 0);
            }
            double trainF1 = _score(_model, _trainSentences, _o.Threads);
            double? devF1 = _dev is null ? null : _score(_model, _dev, _o.Threads);
            double f1 = devF1 ?? trainF1;
            bool best = f1 > bestF1;
            if (best)
            {
                bestF1 = f1;
                bestEpoch = epoch;
                p.Values.CopyTo(_best, 0);
                patienceLeft = _o.Patience;
            }
            if (best && onBest is not null) onBest(_model);
            _iterate?.CopyTo(p.Values, 0);
            var report = new EpochReport(epoch, loss / _train.Count, trainF1, devF1, _train.Count / Math.Max(seconds, 1e-9), watch.Elapsed, best);
            reports.Add(report);
            observer?.EpochFinished(report);
            if (checkpoint is not null) SaveCheckpoint(checkpoint, epoch + 1, 0, bestEpoch, bestF1, reports);
            if (_o.Patience > 0 && !best && --patienceLeft <= 0) break;
        }
        _best.CopyTo(p.Values, 0);
        return new TrainResult(reports, bestEpoch, bestF1, false, total.Elapsed);
    }

    /// <summary>The first parameter block holding a NaN or an infinity, or null.</summary>
    private string? FirstNonFinite()
    {
        var p = _model.Network.Parameters;
        foreach (var b in p.Blocks)
            foreach (float x in p.Value(b))
                if (!float.IsFinite(x)) return b.Name;
        return null;
    }

    /// <summary>
    /// Training has gone non-finite: stop, naming where and the block at fault. Nothing more is saved, so the model
    /// and the checkpoint on disk stay those of the last good epoch.
    /// </summary>
    private NerveException Diverged(int epoch, int step, string what, string? checkpoint)
    {
        string block = FirstNonFinite() is { } b ? $"parameter block {b}" : "the gradient";
        string kept = checkpoint is not null && File.Exists(checkpoint) ? $"; the last good state is kept in {checkpoint}" : "";
        return new NerveException($"training diverged at epoch {epoch}, step {step}: non-finite {what} ({block}); try a lower --lr or --clip{kept}");
    }

    /// <summary>
    /// Fisher–Yates with a generator seeded by (seed, epoch), so an epoch's order does not depend on earlier epochs.
    /// The seed mix is a fixed function (not HashCode, which .NET randomises per process).
    /// </summary>
    public static void Shuffle(int[] order, int seed, int epoch)
    {
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var rng = new Random((int)(Dropout.Mix(((ulong)(uint)seed << 32) | (uint)epoch) & int.MaxValue));
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }

    private void SaveCheckpoint(string path, int nextEpoch, int nextWindow, int bestEpoch, double bestF1, List<EpochReport> reports)
    {
        var p = _model.Network.Parameters;
        var w = new SafeTensorsWriter();
        w.AddMetadata("format", "nerve-checkpoint");
        w.AddMetadata("version", CheckpointVersion.ToString(CultureInfo.InvariantCulture));
        w.AddChecksum(ChecksumKey);
        w.AddMetadata("next_epoch", nextEpoch.ToString(CultureInfo.InvariantCulture));
        w.AddMetadata("next_window", nextWindow.ToString(CultureInfo.InvariantCulture));
        w.AddMetadata("best_epoch", bestEpoch.ToString(CultureInfo.InvariantCulture));
        w.AddMetadata("best_f1", bestF1.ToString("R", CultureInfo.InvariantCulture));
        w.AddMetadata("windows", _units.ToString(CultureInfo.InvariantCulture));
        w.AddMetadata("options", System.Text.Json.JsonSerializer.Serialize(_o));
        w.AddMetadata("history", System.Text.Json.JsonSerializer.Serialize(reports, HistoryJson));
        w.Add("values", p.Values, p.Count);
        w.Add("best", _best, p.Count);
        if (_optimizer.State.Length > 0) w.Add("optimizer", _optimizer.State, p.Count);
        if (_average is not null) w.Add("average", _average, p.Count);
        w.Save(path);
    }

    private (int Epoch, int Window, int BestEpoch, double BestF1) LoadCheckpoint(string path, List<EpochReport> reports)
    {
        using var f = SafeTensorsFile.Read(path);
        string Meta(string key) => f.Metadata.TryGetValue(key, out var v) ? v : throw new NerveDataException(path, 0, $"checkpoint metadata '{key}'", "none");
        if (Meta("format") != "nerve-checkpoint") throw new NerveDataException(path, 0, "a Nerve training checkpoint", "format " + Meta("format"));
        if (f.Metadata.TryGetValue("version", out var version))
        {
            if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v < 1)
                throw new NerveDataException(path, 0, "a checkpoint version", NerveDataException.Quote(version));
            if (v > CheckpointVersion)
                throw new NerveException($"{path}: checkpoint version {v} is newer than this nerve reads (version {CheckpointVersion}); upgrade nerve");
            if (f.VerifyChecksum(ChecksumKey) != true)
                throw new NerveDataException(path, 0, "content matching its SHA-256", "a different or missing digest: the checkpoint is corrupt; delete it to start over");
        }
        try
        {
            return ReadCheckpoint(path, f, reports);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or OverflowException or ArgumentException)
        {
            throw new NerveDataException(path, 0, "a consistent Nerve checkpoint", e.Message);
        }
    }

    private (int Epoch, int Window, int BestEpoch, double BestF1) ReadCheckpoint(string path, SafeTensorsFile f, List<EpochReport> reports)
    {
        string Meta(string key) => f.Metadata.TryGetValue(key, out var v) ? v : throw new NerveDataException(path, 0, $"checkpoint metadata '{key}'", "none");
        var saved = System.Text.Json.JsonSerializer.Deserialize<TrainOptions>(Meta("options"));
        if (saved != _o)
            throw new NerveException($"{path}: the checkpoint was made with other training options; resume with the same options or delete it");
        if (Meta("windows") != _units.ToString(CultureInfo.InvariantCulture))
            throw new NerveDataException(path, 0, $"a checkpoint for {_units} training units", Meta("windows") + " units");
        var p = _model.Network.Parameters;
        var values = f.GetFloat("values", out _);
        if (values.Length != p.Count) throw new NerveDataException(path, 0, $"{p.Count} parameters", values.Length.ToString(CultureInfo.InvariantCulture));
        values.CopyTo(p.Values, 0);
        _best = f.GetFloat("best", out _);
        if (_best.Length != p.Count) throw new NerveDataException(path, 0, $"{p.Count} best parameters", _best.Length.ToString(CultureInfo.InvariantCulture));
        if (_optimizer.State.Length > 0 && (!f.Contains("optimizer") || f.GetShape("optimizer")[0] != _optimizer.State.Length))
            throw new NerveDataException(path, 0, $"an optimizer state of {_optimizer.State.Length} values", "another");
        if (_optimizer.State.Length > 0) f.GetFloat("optimizer", out _).CopyTo(_optimizer.State, 0);
        if (_average is not null)
        {
            if (!f.Contains("average") || f.GetShape("average")[0] != _average.Length)
                throw new NerveDataException(path, 0, $"a parameter average of {_average.Length} values", "none or another");
            f.GetFloat("average", out _).CopyTo(_average, 0);
        }
        reports.AddRange(System.Text.Json.JsonSerializer.Deserialize<List<EpochReport>>(Meta("history"), HistoryJson) ?? []);
        return (int.Parse(Meta("next_epoch"), CultureInfo.InvariantCulture), int.Parse(Meta("next_window"), CultureInfo.InvariantCulture),
            int.Parse(Meta("best_epoch"), CultureInfo.InvariantCulture), double.Parse(Meta("best_f1"), CultureInfo.InvariantCulture));
    }
}
