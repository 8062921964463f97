using System.Globalization;
using System.Runtime.CompilerServices;
using Nerve.Corpus;
using Nerve.Features;
using Nerve.IO;
using Nerve.Model;

namespace Nerve.Tagging;

/// <summary>The tags and per-token confidences predicted for a list of sentences.</summary>
public sealed record Prediction(string[][] Tags, float[][] Confidence);

/// <summary>
/// A trained named-entity recognizer: the window network with its vocabulary, labels and tag scheme.
/// Saved as one safetensors file whose metadata holds the configuration, labels and vocabulary.
/// Prediction is thread-safe: each call uses its own buffers.
/// </summary>
public sealed class NerModel
{
    public const string FormatName = "nerve";
    public const int FormatVersion = 2;

    public NerModel(WindowModel<float> network, Featurizer featurizer, TagScheme scheme, TagScheme labelScheme, IReadOnlyDictionary<string, string>? info = null)
    {
        Network = network;
        Featurizer = featurizer;
        Scheme = scheme;
        LabelScheme = labelScheme;
        var words = featurizer.Words;
        Info = info is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(info, StringComparer.Ordinal);
        if (network.Config.Features.Count != featurizer.Count)
            throw new ArgumentException($"the model has {network.Config.Features.Count} feature tables but the featurizer {featurizer.Count}", nameof(featurizer));
        if (network.Config.Features[0].Size != words.Count)
            throw new ArgumentException($"word table has {network.Config.Features[0].Size} rows but the vocabulary {words.Count} words", nameof(featurizer));
    }

    public WindowModel<float> Network { get; }

    public ModelConfig Config => Network.Config;

    public Featurizer Featurizer { get; }

    public Vocabulary Words => Featurizer.Words;

    /// <summary>The tag scheme of the training corpus: predictions are given in it.</summary>
    public TagScheme Scheme { get; }

    /// <summary>The scheme of the model's own labels: BIOES for the CRF head, else the corpus scheme.</summary>
    public TagScheme LabelScheme { get; }

    /// <summary>Free-form facts about how the model was made (options, data, scores), saved with it.</summary>
    public Dictionary<string, string> Info { get; }

    /// <summary>Class index of a gold tag, -1 if the model does not know it. For the sigmoid head: 1 = positive, 0 = anything else.</summary>
    public int LabelIndex(string tag)
    {
        var labels = Config.Labels;
        if (Network.Head.Traits.Binary)
            return string.Equals(tag, labels[1], StringComparison.Ordinal) ? 1 : 0;
        for (int i = 0; i < labels.Count; i++)
            if (string.Equals(labels[i], tag, StringComparison.Ordinal)) return i;
        return -1;
    }

    /// <summary>Windows of the sentences with their gold classes (−1 for unknown tags), tags converted to <see cref="LabelScheme"/>.</summary>
    public WindowSet Windows(IReadOnlyList<Sentence> sentences)
    {
        if (LabelScheme != Scheme)
            sentences = sentences.Select(s => s.WithTags(Tags.Convert(s.Tags, Scheme, LabelScheme))).ToList();
        return new WindowSet(sentences, Featurizer, Config.Window, LabelIndex);
    }

    /// <summary>
    /// Bytes a tagger may spend on cached first-layer products (<see cref="WindowTagger"/>, Chen &amp; Manning 2014): the
    /// rows of the input as first used, words first. 0 = the plain forward.
    /// </summary>
    public long PrecomputeBytes { get; set; } = DefaultPrecomputeBytes;

    public const long DefaultPrecomputeBytes = 64L << 20;

    /// <summary>The tagger for <paramref name="windows"/>: caches their rows as batches first use them, within <see cref="PrecomputeBytes"/>.</summary>
    public WindowTagger CreateTagger(WindowSet windows) => CreateTagger((long)windows.Positions * windows.Features);

    /// <summary>A tagger for input not seen yet, such as a stream: caches rows as batches first use them, within <see cref="PrecomputeBytes"/>.</summary>
    public WindowTagger CreateTagger() => CreateTagger(long.MaxValue);

    /// <summary>A <see cref="WindowTagger.FillOnUse"/> tagger with room for at most <paramref name="distinctRows"/> rows.</summary>
    private WindowTagger CreateTagger(long distinctRows)
    {
        long perRow = (long)Config.Window * Config.Hidden[0] * sizeof(float);
        int rows = (int)Math.Min(int.MaxValue, Math.Min(distinctRows, Math.Max(0, PrecomputeBytes) / perRow));
        return rows == 0 ? new WindowTagger(Network) : WindowTagger.FillOnUse(Network, rows);
    }

    /// <summary>Tags every token; <paramref name="threads"/> workers split the sentences, the result does not depend on their number.</summary>
    public Prediction Predict(IReadOnlyList<Sentence> sentences, int threads = 1)
    {
        var windows = new WindowSet(sentences, Featurizer, Config.Window, threads: threads);
        var classes = new int[windows.Count];
        var confidence = new float[windows.Count];
        Classify(windows, classes, confidence, threads);
        var tags = new string[sentences.Count][];
        var conf = new float[sentences.Count][];
        for (int s = 0; s < sentences.Count; s++)
        {
            int a = windows.SentenceStarts[s], n = sentences[s].Count;
            tags[s] = SentenceTags(classes.AsSpan(a, n));
            conf[s] = confidence.AsSpan(a, n).ToArray();
        }
        return new Prediction(tags, conf);
    }

    /// <summary>The tags of one sentence's predicted classes, in the corpus <see cref="Scheme"/>.</summary>
    internal string[] SentenceTags(ReadOnlySpan<int> classes)
    {
        var t = new string[classes.Length];
        for (int i = 0; i < t.Length; i++) t[i] = Config.Labels[classes[i]];
        return LabelScheme == Scheme ? t : Tags.Convert(t, LabelScheme, Scheme);
    }

    /// <summary>
    /// Class and confidence of every window. Sentences are packed into batches of up to <paramref name="batch"/> windows
    /// (the CRF head then decodes each sentence on its rows); <paramref name="threads"/> workers take contiguous runs of sentences.
    /// </summary>
    public void Classify(WindowSet windows, Span<int> classes, Span<float> confidence, int threads = 1, int batch = 256)
    {
        int sentences = windows.SentenceStarts.Length - 1;
        threads = Math.Clamp(threads, 1, Math.Max(1, windows.Count / batch));
        var tagger = CreateTagger(windows);
        if (threads == 1)
        {
            WindowTagger.Buffers? buffers = null;
            ClassifyRange(tagger, ref buffers, windows, 0, sentences, classes, confidence, batch);
            return;
        }
        var cls = new int[windows.Count];
        var conf = new float[windows.Count];
        // Split at sentence boundaries into runs of about equal window counts.
        var cut = new int[threads + 1];
        cut[threads] = sentences;
        for (int t = 1, s = 0; t < threads; t++)
        {
            long target = (long)windows.Count * t / threads;
            while (s < sentences && windows.SentenceStarts[s] < target) s++;
            cut[t] = s;
        }
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            WindowTagger.Buffers? buffers = null;
            if (cut[t] < cut[t + 1]) ClassifyRange(tagger, ref buffers, windows, cut[t], cut[t + 1], cls, conf, batch);
        });
        cls.CopyTo(classes);
        conf.CopyTo(confidence);
    }

    /// <summary>
    /// Classifies the windows of sentences [<paramref name="firstSentence"/>, <paramref name="endSentence"/>) with
    /// <paramref name="buffers"/>, which are made (or remade larger) when they cannot hold a batch or the longest sentence.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void ClassifyRange(WindowTagger tagger, ref WindowTagger.Buffers? buffers, WindowSet windows, int firstSentence, int endSentence, Span<int> classes, Span<float> confidence, int batch = 256)
    {
        var starts = windows.SentenceStarts;
        int longest = 0;
        for (int s = firstSentence; s < endSentence; s++) longest = Math.Max(longest, starts[s + 1] - starts[s]);
        int capacity = Math.Max(batch, longest);
        if (buffers is null || buffers.Workspace.MaxBatch < capacity || buffers.Ids.Length < capacity * windows.WindowWidth)
            buffers = tagger.CreateBuffers(capacity, windows.WindowWidth);
        capacity = buffers.Workspace.MaxBatch;
        var ws = buffers.Workspace;
        var ids = buffers.Ids;
        var lengths = buffers.Lengths;
        int s0 = firstSentence;
        while (s0 < endSentence)
        {
            // As many whole sentences as fit (the CRF decodes each on its own rows of the scores).
            int s1 = s0 + 1;
            while (s1 < endSentence && starts[s1 + 1] - starts[s0] <= capacity) s1++;
            int from = starts[s0], n = starts[s1] - from;
            if (n > 0)
            {
                for (int s = s0; s < s1; s++) lengths[s - s0] = starts[s + 1] - starts[s];
                windows.GatherRange(from, n, ids);
                tagger.Scores(buffers, ids, n);
                Network.DecodeSentences(ws, lengths.AsSpan(0, s1 - s0), classes.Slice(from, n), confidence.Slice(from, n));
            }
            s0 = s1;
        }
    }

    /// <summary>Writes the model atomically.</summary>
    public void Save(string path)
    {
        var w = new SafeTensorsWriter();
        w.AddMetadata("format", FormatName);
        w.AddMetadata("nerve.version", FormatVersion.ToString(CultureInfo.InvariantCulture));
        w.AddMetadata("nerve.config", Config.ToJson());
        w.AddMetadata("nerve.scheme", Scheme.ToString());
        w.AddMetadata("nerve.label_scheme", LabelScheme.ToString());
        w.AddMetadata("nerve.vocabulary", string.Join('\n', Words.Words));
        w.AddMetadata("nerve.vocabulary.lowercase", Words.Lowercase ? "true" : "false");
        foreach (var (key, value) in Info) w.AddMetadata("info." + key, value);
        Featurizer.Save(w);
        var p = Network.Parameters;
        foreach (var b in p.Blocks)
        {
            if (b.Rows == 1 && b.Kind is ParameterKind.Bias or ParameterKind.Transition) w.Add(b.Name, p.Value(b), b.Cols);
            else w.Add(b.Name, p.Value(b), b.Rows, b.Cols);
        }
        w.Save(path);
    }

    /// <summary>Reads a model written by <see cref="Save"/>; anything else is a clear <see cref="NerveDataException"/>.</summary>
    public static NerModel Load(string path)
    {
        if (!File.Exists(path)) throw new NerveException($"{path}: model file not found");
        var f = SafeTensorsFile.Read(path);
        string Meta(string key) => f.Metadata.TryGetValue(key, out var v) ? v
            : throw new NerveDataException(path, 0, $"a Nerve model with metadata '{key}'", "no such entry (not a model written by nerve train?)");
        if (Meta("format") != FormatName)
            throw new NerveDataException(path, 0, $"format \"{FormatName}\"", $"format \"{Meta("format")}\"");
        if (Meta("nerve.version") != FormatVersion.ToString(CultureInfo.InvariantCulture))
            throw new NerveDataException(path, 0, $"model format version {FormatVersion}", "version " + Meta("nerve.version"));
        ModelConfig config;
        try { config = ModelConfig.FromJson(Meta("nerve.config")); }
        catch (System.Text.Json.JsonException e) { throw new NerveDataException(path, 0, "a JSON model configuration", e.Message); }
        if (!Enum.TryParse<TagScheme>(Meta("nerve.scheme"), out var scheme))
            throw new NerveDataException(path, 0, "a tag scheme (IO, IOB1, IOB2, BIOES)", Meta("nerve.scheme"));
        if (!Enum.TryParse<TagScheme>(Meta("nerve.label_scheme"), out var labelScheme))
            throw new NerveDataException(path, 0, "a label scheme (IO, IOB1, IOB2, BIOES)", Meta("nerve.label_scheme"));
        var words = Vocabulary.FromWords(Meta("nerve.vocabulary").Split('\n'), Meta("nerve.vocabulary.lowercase") == "true");
        var parameters = new Parameters<float>(WindowModel<float>.Layout(config));
        foreach (var b in parameters.Blocks)
        {
            if (!f.Contains(b.Name)) throw new NerveDataException(path, 0, $"tensor '{b.Name}'", "no such tensor");
            var data = f.GetFloat(b.Name, out var shape);
            if (data.Length != b.Length)
                throw new NerveDataException(path, 0, $"tensor '{b.Name}' with {b.Rows}×{b.Cols} values", $"shape [{string.Join(",", shape)}]");
            data.CopyTo(parameters.Value(b));
        }
        var info = f.Metadata.Where(kv => kv.Key.StartsWith("info.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["info.".Length..], kv => kv.Value, StringComparer.Ordinal);
        return new NerModel(WindowModel<float>.FromParameters(config, parameters), Featurizer.Load(f, path, words), scheme, labelScheme, info);
    }
}
