using System.Globalization;
using Nerve.Corpus;
using Nerve.Features;
using Nerve.IO;

namespace Nerve.Model;

/// <summary>
/// A trained named-entity recognizer: the window network with its vocabulary, labels and tag scheme.
/// Saved as one safetensors file whose metadata holds the configuration, labels and vocabulary.
/// Applying it to text is Nerve.Tagging's (<c>ModelTagging</c>); loading and saving are here.
/// </summary>
public sealed class NerModel
{
    public const string FormatName = "nerve";
    /// <summary>
    /// 3 added the SHA-256 of the whole content (metadata "nerve.sha256"), required and checked on load; version 2 files,
    /// which have none, still load unchecked.
    /// </summary>
    public const int FormatVersion = 3;

    /// <summary>The metadata entry holding the SHA-256 of everything else in the file.</summary>
    public const string ChecksumKey = "nerve.sha256";

    public NerModel(WindowModel<float> network, Featurizer featurizer, TagScheme scheme, TagScheme labelScheme, IReadOnlyDictionary<string, string>? info = null)
    {
        Network = network;
        Featurizer = featurizer;
        Scheme = scheme;
        LabelScheme = labelScheme;
        var words = featurizer.Words;
        Info = info is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(info, StringComparer.Ordinal);
        if (network.Config.IdsPerToken != featurizer.Count)
            throw new ArgumentException($"the model reads {network.Config.IdsPerToken} ids per token but the featurizer gives {featurizer.Count}", nameof(featurizer));
        if (network.Config.CharCnn is { } c && (featurizer.Chars is not { } a || a.Size != c.Alphabet || a.MaxLength != c.MaxLength || featurizer.CharColumn != c.Column))
            throw new ArgumentException("the model's character convolution does not match the featurizer's alphabet", nameof(featurizer));
        if (network.Config.Features[0].Size != words.Count)
            throw new ArgumentException($"word table has {network.Config.Features[0].Size} rows but the vocabulary {words.Count} words", nameof(featurizer));
        if (featurizer.Subwords is { } sub && sub.Dim != network.Config.Features[0].Dim)
            throw new ArgumentException($"composed vectors have {sub.Dim} dimensions but the word table {network.Config.Features[0].Dim}", nameof(featurizer));
        network.Subwords = featurizer.Subwords;
    }

    public WindowModel<float> Network { get; }

    public ModelConfig Config => Network.Config;

    public Featurizer Featurizer { get; }

    public Vocabulary Words => Featurizer.Words;

    /// <summary>The tag scheme of the training corpus: predictions are given in it.</summary>
    public TagScheme Scheme { get; }

    /// <summary>The scheme of the model's own labels: BIOES for the CRF head, else the corpus scheme.</summary>
    public TagScheme LabelScheme { get; }

    /// <summary>Which words had pretrained vectors and which occurred in training; null for a model saved before this was recorded.</summary>
    public WordSources? Sources
    {
        get => _sources;
        set => _sources = value is null || ReferenceEquals(value.Words, Words) ? value
            : throw new ArgumentException("the word sources belong to another vocabulary", nameof(value));
    }

    private WordSources? _sources;

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
    /// Bytes a tagger may spend on cached first-layer products (Nerve.Tagging's <c>WindowTagger</c>, Chen &amp; Manning 2014): the
    /// rows of the input as first used, words first. 0 = the plain forward.
    /// </summary>
    public long PrecomputeBytes { get; set; } = DefaultPrecomputeBytes;

    public const long DefaultPrecomputeBytes = 32L << 20;

    /// <summary>The tags of one sentence's predicted classes, in the corpus <see cref="Scheme"/>.</summary>
    internal string[] SentenceTags(ReadOnlySpan<int> classes)
    {
        var t = new string[classes.Length];
        for (int i = 0; i < t.Length; i++) t[i] = Config.Labels[classes[i]];
        return LabelScheme == Scheme ? t : Tags.Convert(t, LabelScheme, Scheme);
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
        Sources?.Save(w);
        w.AddChecksum(ChecksumKey);
        var p = Network.Parameters;
        foreach (var b in p.Blocks)
        {
            if (b.Rows == 1 && b.Kind is ParameterKind.Bias or ParameterKind.Transition) w.Add(b.Name, p.Value(b), b.Cols);
            else w.Add(b.Name, p.Value(b), b.Rows, b.Cols);
        }
        w.Save(path);
    }

    /// <summary>
    /// Reads a model written by <see cref="Save"/>; anything else is a clear <see cref="NerveDataException"/>. With
    /// <paramref name="verify"/>, the recorded SHA-256 must match the content (a flipped byte anywhere is refused).
    /// </summary>
    public static NerModel Load(string path, bool verify = true)
    {
        InputFile.Check(path, "model file");
        using var f = SafeTensorsFile.Read(path);
        string Meta(string key) => f.Metadata.TryGetValue(key, out var v) ? v
            : throw new NerveDataException(path, 0, $"a Nerve model with metadata '{key}'", "no such entry (not a model written by nerve train?)");
        if (Meta("format") != FormatName)
            throw new NerveDataException(path, 0, $"format \"{FormatName}\"", $"format \"{Meta("format")}\"");
        if (!int.TryParse(Meta("nerve.version"), NumberStyles.None, CultureInfo.InvariantCulture, out int version) || version < 2)
            throw new NerveDataException(path, 0, $"model format version 2 to {FormatVersion}", "version " + NerveDataException.Quote(Meta("nerve.version")));
        if (version > FormatVersion)
            throw new NerveException($"{path}: model format version {version} is newer than this nerve reads (version {FormatVersion}); upgrade nerve");
        if (version >= 3)
        {
            bool? intact = f.VerifyChecksum(ChecksumKey);
            if (intact is null)
                throw new NerveDataException(path, 0, $"a SHA-256 in metadata '{ChecksumKey}' (format version {version})", "none: the file is damaged");
            if (verify && intact == false)
                throw new NerveDataException(path, 0, "content matching its SHA-256", "a different digest: the file is corrupt (--no-verify loads it anyway)");
        }
        try
        {
            return Parse(path, f, Meta);
        }
        catch (Exception e) when (e is not NerveException and not OutOfMemoryException)
        {
            throw new NerveDataException(path, 0, "a consistent Nerve model", e.Message);
        }
    }

    private static NerModel Parse(string path, SafeTensorsFile f, Func<string, string> meta)
    {
        string Meta(string key) => meta(key);
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
            if (f.ReadFloat(b.Name, parameters.Value(b), out var shape) != b.Length) // straight into the parameter buffer
                throw new NerveDataException(path, 0, $"tensor '{b.Name}' with {b.Rows}×{b.Cols} values", $"shape [{string.Join(",", shape)}]");
        }
        var info = f.Metadata.Where(kv => kv.Key.StartsWith("info.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["info.".Length..], kv => kv.Value, StringComparer.Ordinal);
        return new NerModel(WindowModel<float>.FromParameters(config, parameters), Featurizer.Load(f, path, words), scheme, labelScheme, info)
        {
            Sources = WordSources.Load(f, path, words),
        };
    }
}
