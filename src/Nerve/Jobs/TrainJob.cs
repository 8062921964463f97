using System.Globalization;
using System.Text.Json;
using Nerve.Corpus;
using Nerve.Evaluation;
using Nerve.Features;
using Nerve.Model;
using Nerve.Tagging;
using Nerve.Training;
using Nerve.Vectors;

namespace Nerve.Jobs;

/// <summary>Everything `nerve train` needs: data, architecture and training options (config files bind to it: <see cref="TrainConfig"/>).</summary>
public sealed record TrainJobOptions
{
    public required string TrainPath { get; init; }
    /// <summary>Further training files, read after <see cref="TrainPath"/> as one corpus with it (`--train a,b`, a config's ["a", "b"]).</summary>
    public IReadOnlyList<string> MoreTrainPaths { get; init; } = [];
    /// <summary><see cref="TrainPath"/> then <see cref="MoreTrainPaths"/>.</summary>
    public IReadOnlyList<string> TrainPaths => [TrainPath, .. MoreTrainPaths];
    public string? DevPath { get; init; }
    public required string ModelPath { get; init; }
    public CorpusFormat Format { get; init; } = CorpusFormat.Auto;
    public int? TagColumn { get; init; }
    /// <summary>Pretrained vectors (word2vec/GloVe/fastText text, plain or .gz), or PA4's wordVectors.txt with <see cref="VocabPath"/>.</summary>
    public string? EmbeddingsPath { get; init; }
    public string? VocabPath { get; init; }
    /// <summary>
    /// N-gram rows (<see cref="SubwordTable"/>) that compose vectors for words without one: every training word then gets
    /// a row of L, initialised with its composed vector when the vectors lack it (and learnt like the rest), and the
    /// model keeps the rows so that tagging composes unseen words the same way (fixed vectors). Needs <see cref="EmbeddingsPath"/>.
    /// </summary>
    public string? SubwordsPath { get; init; }
    /// <summary>Word dimension when no vectors are given (50 when null); with vectors it must agree with theirs.</summary>
    public int? Dim { get; init; }
    /// <summary>Training words seen fewer times than this (and not in the vectors) map to UUUNKKK, which so learns a vector.</summary>
    public int MinCount { get; init; } = 2;
    public int Window { get; init; } = 5;
    public IReadOnlyList<int> Hidden { get; init; } = [100];
    public ActivationKind Activation { get; init; } = ActivationKind.Tanh;
    public OutputKind Output { get; init; } = ModelConfig.DefaultOutput;
    /// <summary>The positive class of the sigmoid head; by default the one non-O tag.</summary>
    public string? Positive { get; init; }
    public bool Lowercase { get; init; } = true;
    /// <summary>Features beside the word: capitalisation, affixes, gazetteers.</summary>
    public FeatureOptions Features { get; init; } = new();
    public TrainOptions Training { get; init; } = new();
    /// <summary>Split POS tags glued to the word on lines one column short (CoNLL-2002 Dutch), with a warning for each.</summary>
    public bool RepairGlued { get; init; }
    /// <summary>What starts a document besides -DOCSTART- lines (document features are computed per document).</summary>
    public Corpus.DocumentSeparator DocSep { get; init; }
    /// <summary>A tag the detected scheme does not allow where it stands (I- after O in IOB2) is an error, not a warning.</summary>
    public bool StrictScheme { get; init; }
    /// <summary>Differentiate through the computation graph (Nerve.Autodiff) instead of the hand-derived backward pass.</summary>
    public bool GraphEngine { get; init; }
    /// <summary>Continue from ModelPath + ".ckpt", which must exist.</summary>
    public bool Resume { get; init; }
}

/// <summary>The library side of `nerve train`: load data and vectors, build and initialise the model, train, save the best.</summary>
public static class TrainJob
{
    public static string CheckpointPath(string modelPath) => modelPath + ".ckpt";

    /// <summary>The largest layer, vector or feature size accepted (a guard against typos, far beyond useful sizes).</summary>
    public const int MaxSize = 65536;

    /// <summary>
    /// Fails, before any work, on a missing or non-regular input, an output path that cannot be written or is an
    /// input, an option ignored in context, a size out of bounds, or --resume without a checkpoint.
    /// </summary>
    public static void Validate(TrainJobOptions o)
    {
        if (string.IsNullOrEmpty(o.TrainPath)) throw new NerveException("--train is required (on the command line or in --config)");
        if (string.IsNullOrEmpty(o.ModelPath)) throw new NerveException("--model is required");
        foreach (var path in o.TrainPaths.Concat([o.DevPath, o.EmbeddingsPath, o.VocabPath, o.SubwordsPath]))
            if (path is not null) IO.InputFile.Check(path);
        if (o.Features.Gazetteers is { } gz && !Directory.Exists(gz)) throw new NerveException($"{gz}: gazetteer directory not found");
        (string?, string)[] inputs = [.. o.TrainPaths.Select(p => ((string?)p, "--train")), (o.DevPath, "--dev"), (o.EmbeddingsPath, "--embeddings"), (o.VocabPath, "--vocab")];
        IO.AtomicFile.CheckTarget(o.ModelPath, "--model", inputs);
        IO.AtomicFile.CheckTarget(CheckpointPath(o.ModelPath), "the checkpoint", inputs);
        if (IO.AtomicFile.IsStdout(o.ModelPath)) throw new NerveException($"{o.ModelPath}: --model must be a file (its checkpoint is written beside it)");
        if (o.Resume && !File.Exists(CheckpointPath(o.ModelPath)))
            throw new NerveException($"{CheckpointPath(o.ModelPath)}: --resume needs the checkpoint of an interrupted run, found none");
        if (o.SubwordsPath is not null && o.EmbeddingsPath is null)
            throw new NerveException("--subwords composes vectors beside pretrained ones: give --embeddings too");
        if (o.VocabPath is not null && o.EmbeddingsPath is null)
            throw new NerveException("--vocab is only used with --embeddings (PA4's wordVectors.txt + vocab.txt); give both or neither");
        if (o.Positive is not null && !Heads.Traits(o.Output).Binary)
            throw new NerveException($"--positive is only used with --output sigmoid, found --output {o.Output.ToString().ToLowerInvariant()}");
        Bound("--dim", o.Dim ?? 1);
        Bound("--window", o.Window);
        if (o.Window % 2 == 0) throw new NerveException($"--window must be odd, found {o.Window}");
        foreach (int h in o.Hidden) Bound("--hidden", h);
        Bound("--feature-dims", o.Features.CapsDim);
        Bound("--feature-dims", o.Features.AffixDim);
        Bound("--feature-dims", o.Features.GazetteerDim);
        if (o.Features.DocContext != 0) Bound("--doc-context", o.Features.DocContext);
        if (o.MinCount < 0) throw new NerveException($"--min-count must be ≥ 0, found {o.MinCount}");
    }

    private static void Bound(string option, int value)
    {
        if (value < 1) throw new NerveException($"{option} must be ≥ 1, found {value}");
        if (value > MaxSize) throw new NerveException($"{option} must be ≤ {MaxSize}, found {value}");
    }

    public static (NerModel Model, TrainResult Result) Run(TrainJobOptions o, ITrainingObserver? observer = null, IJobLog? log = null, CancellationToken cancel = default)
    {
        Validate(o);
        var (model, train, dev) = Build(o, log);
        var trainer = new Trainer(model, train.Sentences, dev?.Sentences, o.Training, ModelEvaluation.F1,
            o.GraphEngine ? (m, b) => new Autodiff.GraphBackprop<float>(m, b) : null);
        log?.Info(trainer.Step);
        // The model is written once, at the end: a good model already at ModelPath survives until this run has a
        // better one, and the best epoch so far lives in the checkpoint meanwhile.
        var result = trainer.Train(observer, null, CheckpointPath(o.ModelPath), o.Resume, cancel);
        if (!result.Interrupted)
        {
            model.Info["best_epoch"] = result.BestEpoch.ToString(CultureInfo.InvariantCulture);
            model.Info["best_f1"] = result.BestF1.ToString("F2", CultureInfo.InvariantCulture);
            model.Info[TrainHistory.Key] = TrainHistory.ToJson(result.Epochs);
            model.Save(o.ModelPath);
            File.Delete(CheckpointPath(o.ModelPath));
        }
        return (model, result);
    }

    /// <summary>
    /// Reads the corpora and vectors and builds the initialised, untrained model `nerve train` would train (shared with
    /// `nerve bench --config`); the model path is not used.
    /// </summary>
    public static (NerModel Model, CorpusFile Train, CorpusFile? Dev) Build(TrainJobOptions o, IJobLog? log = null)
    {
        o.Training.Validate(o.Output, manualEngine: !o.GraphEngine);
        var repairs = new GluedRepairLog();
        Action<string>? repair = o.RepairGlued ? repairs.Add : null;
        var (train, trainFiles) = ReadTrain(o, repair);
        var dev = o.DevPath is null ? null : JobCorpus.RequireSentences(CorpusReader.Read(o.DevPath, o.Format, o.TagColumn, repairGlued: repair, documents: o.DocSep), o.DevPath);
        if (log is not null) repairs.Report(log.Warning);
        log?.Info($"train: {string.Join(" + ", o.TrainPaths)}: {train.Sentences.Count} sentences, {train.Tokens} tokens");
        if (dev is not null) log?.Info($"dev:   {o.DevPath}: {dev.Sentences.Count} sentences, {dev.Tokens} tokens");
        var scheme = Tags.Detect(train.Sentences.Select(s => (IReadOnlyList<string>)s.Tags));
        foreach (var f in trainFiles) JobCorpus.CheckScheme(f, scheme, o.StrictScheme, log);
        if (dev is not null) JobCorpus.CheckScheme(dev, scheme, o.StrictScheme, log);
        // The CRF learns BIOES transitions (converted back for output and scoring); IO corpora keep IO.
        var labelScheme = Heads.Traits(o.Output).ChunkLabels && scheme != TagScheme.IO ? TagScheme.BIOES : scheme;
        var labelSentences = labelScheme == scheme ? train.Sentences
            : train.Sentences.Select(s => s.WithTags(Tags.Convert(s.Tags, scheme, labelScheme))).ToList();
        var labels = Labels(labelSentences, o);
        if (dev is not null && log is not null) WarnUnknownTags(train, dev, o.DevPath!, log);

        WordVectors? vectors = null;
        if (o.EmbeddingsPath is not null)
        {
            vectors = WordVectors.Load(o.EmbeddingsPath, o.VocabPath);
            log?.Info($"vectors: {o.EmbeddingsPath}: {vectors.Count} words × {vectors.Dim}");
            if (vectors.Duplicates > 0)
                log?.Warning($"{o.EmbeddingsPath}:{vectors.FirstDuplicateLine}: {vectors.Duplicates} duplicate words; each keeps its first vector");
            if (o.Dim is { } d && d != vectors.Dim)
                throw new NerveException($"--dim {d} disagrees with the {vectors.Dim}-dimensional vectors of {o.EmbeddingsPath}; leave --dim out with --embeddings");
        }
        SubwordTable? subwords = null;
        if (o.SubwordsPath is not null)
        {
            subwords = SubwordTable.Load(o.SubwordsPath);
            if (subwords.Dim != vectors!.Dim)
                throw new NerveException($"{o.SubwordsPath}: {subwords.Dim}-dimensional n-gram rows, but the vectors of {o.EmbeddingsPath} have {vectors.Dim}");
            if (subwords.Lowercase != o.Lowercase)
                throw new NerveException($"{o.SubwordsPath}: n-grams of {(subwords.Lowercase ? "lowercased" : "cased")} words, but the model {(o.Lowercase ? "lowercases" : "keeps case (--keep-case)")}");
            log?.Info($"subwords: {o.SubwordsPath}: {subwords.Count} n-gram rows of {subwords.Buckets} buckets, n = {subwords.MinN}…{subwords.MaxN}");
        }
        var words = BuildVocabulary(train.Sentences, vectors, subwords is null ? o : o with { MinCount = 1 });
        var featurizer = Featurizer.Build(words, o.Features, train.Sentences, subwords);
        int dim = vectors?.Dim ?? o.Dim ?? 50;
        var config = new ModelConfig
        {
            Window = o.Window,
            Hidden = o.Hidden,
            Activation = o.Activation,
            Output = o.Output,
            Labels = labels,
            Features = featurizer.Specs(dim),
            Lowercase = o.Lowercase,
            CharCnn = featurizer.Chars is { } a && o.Features.Chars is { } co
                ? new CharCnnConfig(a.Size, co.Dim, co.Filters, co.Width, a.MaxLength, featurizer.CharColumn) : null,
        };
        long parameterCount = WindowModel<float>.Layout(config).Sum(b => (long)b.Item3 * b.Item4);
        if (parameterCount > Array.MaxLength)
            throw new NerveException($"the network would have {parameterCount} parameters, more than {Array.MaxLength} (lower --hidden, --dim, --window or the vocabulary)");
        var network = new WindowModel<float>(config);
        var rng = new Random(o.Training.Seed);
        network.Initialize(rng, vectors is null ? 0.1 : VectorScale(vectors));
        int copied = vectors is null ? 0 : CopyVectors(network, words, vectors);
        int composed = subwords is null ? 0 : ComposeVectors(network, words, vectors!, subwords);
        if (config.Features.Count > 1)
            log?.Info("features: " + string.Join(", ", config.Features.Select(f => $"{f.Name} {f.Size}×{f.Dim}")) + (featurizer.Gazetteer is { } g ? $" ({g.Entries} gazetteer entries)" : ""));
        if (config.CharCnn is { } cc)
            log?.Info($"characters: {cc.Alphabet} ids × {cc.Dim}, {cc.Filters} filters of width {cc.Width}, words of up to {cc.MaxLength} ids (CharWNN)");
        log?.Info($"vocabulary: {words.Count} words ({copied} from the vectors{(subwords is null ? "" : $", {composed} composed from n-grams")}), scheme {scheme}{(labelScheme != scheme ? $" (trained as {labelScheme})" : "")}, labels {string.Join(" ", labels)}");

        var info = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["train"] = string.Join(",", o.TrainPaths),
            ["dev"] = o.DevPath ?? "",
            ["embeddings"] = o.EmbeddingsPath ?? "",
            ["options"] = JsonSerializer.Serialize(o.Training),
        };
        if (o.SubwordsPath is not null) info["subwords"] = o.SubwordsPath;
        var model = new NerModel(network, featurizer, scheme, labelScheme, info)
        {
            Sources = WordSources.Build(words, train.Sentences, vectors is null ? null : w => vectors.IndexOf(w) >= 0),
        };
        return (model, train, dev);
    }

    /// <summary>The training files read in order and joined as one corpus (a document never spans two files); each must hold sentences.</summary>
    private static (CorpusFile Train, List<CorpusFile> Files) ReadTrain(TrainJobOptions o, Action<string>? repair)
    {
        var files = o.TrainPaths.Select(p => JobCorpus.RequireSentences(CorpusReader.Read(p, o.Format, o.TagColumn, repairGlued: repair, documents: o.DocSep), p)).ToList();
        if (files.Count == 1) return (files[0], files);
        var first = files[0];
        foreach (var f in files.Skip(1))
            if (f.ColumnCount != first.ColumnCount || f.TagColumn != first.TagColumn)
                throw new NerveException($"{f.Path}: {f.ColumnCount} columns with the tag in column {f.TagColumn}, but {first.Path} has {first.ColumnCount} with the tag in column {first.TagColumn}; --train files must share a layout");
        // Each file's document numbers are shifted past the previous files' (0 … Documents each), so none is shared.
        var sentences = new List<Sentence>(files.Sum(f => f.Sentences.Count));
        int offset = 0;
        foreach (var f in files)
        {
            foreach (var s in f.Sentences) sentences.Add(offset == 0 ? s : s.InDocument(s.Document + offset));
            offset += f.Documents + 1;
        }
        return (new CorpusFile(string.Join(",", files.Select(f => f.Path)), sentences, first.Format, first.Delimiter,
            first.ColumnCount, first.TagColumn, files.Sum(f => f.Documents), files.Sum(f => f.Tokens)), files);
    }

    /// <summary>Warns about dev tags the model cannot predict (absent from the training data).</summary>
    private static void WarnUnknownTags(CorpusFile train, CorpusFile dev, string devPath, IJobLog log)
    {
        var known = train.Sentences.SelectMany(s => s.Tags).ToHashSet(StringComparer.Ordinal);
        var unknown = dev.Sentences.SelectMany(s => s.Tags).Where(t => !known.Contains(t)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
            log.Warning($"{devPath}: {unknown.Count} tags not in the training data, never predicted: {string.Join(", ", unknown.Take(8))}");
    }

    /// <summary>Softmax: every training tag, O first, then in ordinal order. Sigmoid: [O, positive].</summary>
    public static string[] Labels(IReadOnlyList<Sentence> train, TrainJobOptions o)
    {
        var distinct = train.SelectMany(s => s.Tags).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (Heads.Traits(o.Output).Binary)
        {
            var others = distinct.Where(t => t != "O").ToList();
            string positive = o.Positive ?? (others.Count == 1 ? others[0]
                : throw new NerveException($"the sigmoid head needs --positive TAG: the training data has {others.Count} tags besides O ({string.Join(", ", others.Take(8))})"));
            if (!distinct.Contains(positive))
                throw new NerveException($"--positive {positive}: no such tag in {o.TrainPath} (tags: {string.Join(", ", distinct.Take(12))})");
            return ["O", positive];
        }
        if (distinct.Remove("O")) distinct.Insert(0, "O");
        if (distinct.Count < 2) throw new NerveException($"{o.TrainPath}: the softmax head needs at least two distinct tags, found {distinct.Count}");
        return [.. distinct];
    }

    /// <summary>The vectors' words plus the normalised training words seen at least MinCount times; without vectors, the latter alone.</summary>
    public static Vocabulary BuildVocabulary(IReadOnlyList<Sentence> train, WordVectors? vectors, TrainJobOptions o)
    {
        if (vectors is null) return Vocabulary.BuildFromCorpus(train, o.MinCount, o.Lowercase);
        var baseVocab = Vocabulary.FromWords(vectors.Words, o.Lowercase);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in train)
            foreach (var w in s.Words)
            {
                if (baseVocab.Lookup(w) != baseVocab.UnknownIndex) continue;
                var key = o.Lowercase ? w.ToLowerInvariant() : w;
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        var extra = counts.Where(kv => kv.Value >= o.MinCount).Select(kv => kv.Key).Order(StringComparer.Ordinal);
        return baseVocab.Extend(extra);
    }

    /// <summary>Random rows get the spread of the pretrained ones: uniform ±√3·σ has standard deviation σ.</summary>
    private static double VectorScale(WordVectors v)
    {
        double sum = 0, sq = 0;
        foreach (float x in v.Data) { sum += x; sq += (double)x * x; }
        double mean = sum / v.Data.Length;
        return Math.Sqrt(3 * Math.Max(sq / v.Data.Length - mean * mean, 1e-12));
    }

    /// <summary>
    /// L[w] = the composed vector (<see cref="SubwordTable.Compose"/>) of every vocabulary word the vectors lack, the
    /// specials apart: the vector such a word would get at tagging had it not been seen in training.
    /// </summary>
    private static int ComposeVectors(WindowModel<float> network, Vocabulary words, WordVectors vectors, SubwordTable subwords)
    {
        var l = network.Parameters[WindowModel<float>.TableName(network.Config, 0)];
        var table = network.Parameters.Value(l);
        var specials = new HashSet<int> { words.UnknownIndex, words.StartIndex, words.EndIndex, words.NumberIndex };
        var v = new float[l.Cols];
        int composed = 0;
        for (int i = 0; i < words.Count; i++)
            if (!specials.Contains(i) && vectors.IndexOf(words[i]) < 0 && subwords.Compose(words[i], v))
            {
                v.CopyTo(table.Slice(i * l.Cols, l.Cols));
                composed++;
            }
        return composed;
    }

    private static int CopyVectors(WindowModel<float> network, Vocabulary words, WordVectors vectors)
    {
        var l = network.Parameters[WindowModel<float>.TableName(network.Config, 0)];
        var table = network.Parameters.Value(l);
        int copied = 0;
        for (int i = 0; i < words.Count; i++)
        {
            int j = vectors.IndexOf(words[i]);
            if (j < 0) continue;
            vectors[j].CopyTo(table.Slice(i * l.Cols, l.Cols));
            copied++;
        }
        return copied;
    }
}
