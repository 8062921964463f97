using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Nerve.Corpus;
using Nerve.Features;
using Nerve.Model;
using Nerve.Training;

namespace Nerve.Jobs;

/// <summary>
/// The training options as `nerve train` names them (config file keys are the option names without "--"), each null
/// when not given. A config file deserialises into it (<see cref="TrainConfig.Read"/>), the command line fills one from
/// the flags it was given, and <see cref="ApplyTo"/> lays each over a <see cref="TrainJobOptions"/>: defaults, then the
/// file, then the flags. "none" switches off embeddings, gazetteers and affixes.
/// </summary>
public sealed record TrainSettings
{
    /// <summary>Training files in order: a config file's "train" is a path, "a,b" or an array of paths.</summary>
    [JsonPropertyName("train"), JsonConverter(typeof(PathsConverter))] public string[]? Train { get; init; }
    [JsonPropertyName("dev")] public string? Dev { get; init; }
    [JsonPropertyName("model")] public string? Model { get; init; }
    [JsonPropertyName("format")] public CorpusFormat? Format { get; init; }
    [JsonPropertyName("tag-column")] public int? TagColumn { get; init; }
    [JsonPropertyName("embeddings")] public string? Embeddings { get; init; }
    [JsonPropertyName("vocab")] public string? Vocab { get; init; }
    [JsonPropertyName("dim")] public int? Dim { get; init; }
    [JsonPropertyName("min-count")] public int? MinCount { get; init; }
    [JsonPropertyName("window")] public int? Window { get; init; }
    [JsonPropertyName("hidden")] public int[]? Hidden { get; init; }
    [JsonPropertyName("activation")] public ActivationKind? Activation { get; init; }
    [JsonPropertyName("output")] public OutputKind? Output { get; init; }
    [JsonPropertyName("positive")] public string? Positive { get; init; }
    [JsonPropertyName("optimizer")] public OptimizerKind? Optimizer { get; init; }
    [JsonPropertyName("lr")] public double? LearningRate { get; init; }
    [JsonPropertyName("lr-decay")] public double? LearningRateDecay { get; init; }
    [JsonPropertyName("l2")] public double? L2 { get; init; }
    [JsonPropertyName("epochs")] public int? Epochs { get; init; }
    [JsonPropertyName("batch")] public int? Batch { get; init; }
    [JsonPropertyName("patience")] public int? Patience { get; init; }
    [JsonPropertyName("fix-embeddings")] public bool? FixEmbeddings { get; init; }
    [JsonPropertyName("keep-case")] public bool? KeepCase { get; init; }
    [JsonPropertyName("seed")] public int? Seed { get; init; }
    [JsonPropertyName("threads")] public int? Threads { get; init; }
    [JsonPropertyName("hogwild")] public bool? Hogwild { get; init; }
    [JsonPropertyName("resume")] public bool? Resume { get; init; }
    [JsonPropertyName("caps")] public bool? Caps { get; init; }
    [JsonPropertyName("prefix")] public int[]? Prefix { get; init; }
    [JsonPropertyName("suffix")] public int[]? Suffix { get; init; }
    [JsonPropertyName("gazetteers")] public string? Gazetteers { get; init; }
    [JsonPropertyName("feature-dims")] public int[]? FeatureDims { get; init; }
    [JsonPropertyName("input-dropout")] public double? InputDropout { get; init; }
    [JsonPropertyName("hidden-dropout")] public double? HiddenDropout { get; init; }
    [JsonPropertyName("clip")] public double? Clip { get; init; }
    [JsonPropertyName("average")] public double? Average { get; init; }
    [JsonPropertyName("engine")] public string? Engine { get; init; }
    [JsonPropertyName("repair-glued")] public bool? RepairGlued { get; init; }
    [JsonPropertyName("doc-sep")] public string? DocSep { get; init; }
    [JsonPropertyName("char-cnn")] public bool? CharCnn { get; init; }
    [JsonPropertyName("char-dim")] public int? CharDim { get; init; }
    [JsonPropertyName("char-filters")] public int? CharFilters { get; init; }
    [JsonPropertyName("char-width")] public int? CharWidth { get; init; }
    [JsonPropertyName("char-max")] public int? CharMax { get; init; }
    [JsonPropertyName("strict-scheme")] public bool? StrictScheme { get; init; }
    [JsonPropertyName("doc-context")] public int? DocContext { get; init; }
    [JsonPropertyName("subwords")] public string? Subwords { get; init; }

    /// <summary>The options with every setting given here replacing the one in <paramref name="o"/>.</summary>
    public TrainJobOptions ApplyTo(TrainJobOptions o)
    {
        if (Engine is not null and not "manual" and not "graph")
            throw new NerveException($"--engine: expected manual or graph, found \"{Engine}\"");
        if (Hidden is { Length: 0 }) throw new NerveException("--hidden: expected at least one size, found \"none\"");
        if (FeatureDims is { Length: not 3 }) throw new NerveException("--feature-dims: expected three sizes (caps, affix, gazetteer), e.g. 5,10,4");
        var f = o.Features;
        var t = o.Training;
        if (DocContext is < 0) throw new NerveException($"--doc-context must be ≥ 0 (0: none), found {DocContext}");
        var chars = CharCnn is { } on ? (on ? f.Chars ?? new CharOptions() : null) : f.Chars;
        if (chars is null && (CharDim ?? CharFilters ?? CharWidth ?? CharMax) is not null)
            throw new NerveException("--char-dim, --char-filters, --char-width and --char-max size the character convolution: add --char-cnn");
        if ((CharDim ?? CharFilters ?? CharWidth ?? 1) < 1 || CharMax is < 3 || (CharWidth ?? chars?.Width ?? 1) > (CharMax ?? chars?.MaxLength ?? int.MaxValue))
            throw new NerveException("--char-dim, --char-filters and --char-width must be ≥ 1, --char-max ≥ 3 and ≥ --char-width");
        if (chars is not null)
            chars = chars with
            {
                Dim = CharDim ?? chars.Dim,
                Filters = CharFilters ?? chars.Filters,
                Width = CharWidth ?? chars.Width,
                MaxLength = CharMax ?? chars.MaxLength,
            };
        return o with
        {
            TrainPath = Train is [var first, ..] ? first : o.TrainPath,
            MoreTrainPaths = Train is [_, .. var more] ? more : o.MoreTrainPaths,
            DevPath = Dev ?? o.DevPath,
            ModelPath = Model ?? o.ModelPath,
            Format = Format ?? o.Format,
            TagColumn = TagColumn ?? o.TagColumn,
            EmbeddingsPath = Embeddings is null ? o.EmbeddingsPath : None(Embeddings),
            VocabPath = Vocab ?? o.VocabPath,
            SubwordsPath = Subwords is null ? o.SubwordsPath : None(Subwords),
            Dim = Dim ?? o.Dim,
            MinCount = MinCount ?? o.MinCount,
            Window = Window ?? o.Window,
            Hidden = Hidden ?? o.Hidden,
            Activation = Activation ?? o.Activation,
            Output = Output ?? o.Output,
            Positive = Positive ?? o.Positive,
            Lowercase = KeepCase is { } k ? !k : o.Lowercase,
            Resume = Resume ?? o.Resume,
            GraphEngine = Engine is null ? o.GraphEngine : Engine == "graph",
            RepairGlued = RepairGlued ?? o.RepairGlued,
            DocSep = DocSep is null ? o.DocSep : Corpus.DocumentSeparators.Parse(DocSep),
            StrictScheme = StrictScheme ?? o.StrictScheme,
            Features = f with
            {
                Caps = Caps ?? f.Caps,
                Prefixes = Prefix ?? f.Prefixes,
                Suffixes = Suffix ?? f.Suffixes,
                Gazetteers = Gazetteers is null ? f.Gazetteers : None(Gazetteers),
                CapsDim = FeatureDims?[0] ?? f.CapsDim,
                AffixDim = FeatureDims?[1] ?? f.AffixDim,
                GazetteerDim = FeatureDims?[2] ?? f.GazetteerDim,
                Chars = chars,
                DocContext = DocContext ?? f.DocContext,
            },
            Training = t with
            {
                Optimizer = Optimizer ?? t.Optimizer,
                LearningRate = LearningRate ?? t.LearningRate,
                LearningRateDecay = LearningRateDecay ?? t.LearningRateDecay,
                L2 = L2 ?? t.L2,
                Epochs = Epochs ?? t.Epochs,
                Batch = Batch ?? t.Batch,
                Patience = Patience ?? t.Patience,
                FixEmbeddings = FixEmbeddings ?? t.FixEmbeddings,
                Seed = Seed ?? t.Seed,
                Threads = Threads ?? t.Threads,
                Hogwild = Hogwild ?? t.Hogwild,
                InputDropout = InputDropout ?? t.InputDropout,
                HiddenDropout = HiddenDropout ?? t.HiddenDropout,
                ClipNorm = Clip ?? t.ClipNorm,
                Average = Average ?? t.Average,
            },
        };
    }

    /// <summary>An option value, or null when it is empty or "none" (how a setting switches off what a file set).</summary>
    public static string? None(string? value) => string.IsNullOrWhiteSpace(value) || value == "none" ? null : value;

    /// <summary>Paths as given, each split at commas ("a,b" → a, b), empty parts dropped.</summary>
    public static string[] SplitPaths(IEnumerable<string> values)
        => [.. values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))];

    /// <summary>Paths as "a", "a,b" or ["a", "b,c"].</summary>
    private sealed class PathsConverter : JsonConverter<string[]>
    {
        public override string[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var parts = new List<string>();
            if (reader.TokenType == JsonTokenType.String)
                parts.Add(reader.GetString()!);
            else if (reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    parts.Add(reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new JsonException("expected an array of file paths"));
            }
            else
                throw new JsonException("expected a file path or an array of them");
            return SplitPaths(parts);
        }

        public override void Write(Utf8JsonWriter writer, string[] value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var v in value) writer.WriteStringValue(v);
            writer.WriteEndArray();
        }
    }
}

/// <summary>`--config FILE`: a JSON object of <see cref="TrainSettings"/>, read with System.Text.Json.</summary>
public static class TrainConfig
{
    private static readonly JsonSerializerOptions Json = new()
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(), new SizesConverter() },
    };

    /// <summary>
    /// Reads <paramref name="path"/>. Relative paths (train, dev, embeddings, vocab, gazetteers, model) are taken from the
    /// repository root holding the file (the first folder above it with Nerve.slnx), else from the file's folder. An
    /// unknown key or a value of the wrong kind is a <see cref="NerveDataException"/> naming the file.
    /// </summary>
    public static TrainSettings Read(string path)
    {
        if (!File.Exists(path)) throw new NerveException($"{path}: config file not found");
        TrainSettings? s;
        try
        {
            s = JsonSerializer.Deserialize<TrainSettings>(File.ReadAllText(path), Json);
        }
        catch (JsonException e) when (UnknownKey(e) is { } key)
        {
            throw new NerveDataException(path, 0, "an option of `nerve train`", $"\"{key}\"");
        }
        catch (JsonException e)
        {
            string where = e.Path is { Length: > 2 } p ? $" at {p[2..]}" : "";
            throw new NerveDataException(path, (int)(e.LineNumber ?? -1) + 1, "a JSON object of options", e.Message.Split(". ")[0] + where);
        }
        if (s is null) throw new NerveDataException(path, 1, "a JSON object of options", "null");
        string root = Root(Path.GetFullPath(path));
        string? Resolve(string? p) => p is null || TrainSettings.None(p) is null || Path.IsPathRooted(p) ? p : Path.Combine(root, p);
        return s with
        {
            Train = s.Train?.Select(p => Resolve(p)!).ToArray(),
            Dev = Resolve(s.Dev),
            Model = Resolve(s.Model),
            Embeddings = Resolve(s.Embeddings),
            Subwords = Resolve(s.Subwords),
            Vocab = Resolve(s.Vocab),
            Gazetteers = Resolve(s.Gazetteers),
        };
    }

    /// <summary>
    /// Settings from option names and values as typed (e.g. "lr" → "0.05", "hidden" → "100,50", "caps" → "true"),
    /// bound as a config file's keys are; an unknown name or a bad value is a <see cref="NerveException"/>.
    /// </summary>
    public static TrainSettings Bind(IEnumerable<KeyValuePair<string, string>> values)
    {
        var json = new System.Text.Json.Nodes.JsonObject();
        foreach (var (key, value) in values)
            json[key] = value is "true" or "false" ? System.Text.Json.Nodes.JsonValue.Create(value == "true") : System.Text.Json.Nodes.JsonValue.Create(value);
        try
        {
            return JsonSerializer.Deserialize<TrainSettings>(json.ToJsonString(), Json) ?? new TrainSettings();
        }
        catch (JsonException e) when (UnknownKey(e) is { } key)
        {
            throw new NerveException($"\"{key}\" is not an option of `nerve train`");
        }
        catch (JsonException e)
        {
            string where = e.Path is { Length: > 2 } p ? p[2..] : "an option";
            throw new NerveException($"{where}: \"{values.FirstOrDefault(kv => kv.Key == where).Value}\" is not a valid value ({e.Message.Split(". ")[0]})");
        }
    }

    /// <summary>The key of an "unmapped member" error ($.key), null for other errors.</summary>
    private static string? UnknownKey(JsonException e)
        => e.Message.Contains("could not be mapped", StringComparison.Ordinal) && e.Path is { Length: > 2 } p ? p[2..] : null;

    private static string Root(string file)
    {
        for (var d = new DirectoryInfo(Path.GetDirectoryName(file)!); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Nerve.slnx"))) return d.FullName;
        return Path.GetDirectoryName(file)!;
    }

    /// <summary>Sizes as 400, "400", "100,50", [100, 50] or ["100", "50"]; "none" is empty.</summary>
    private sealed class SizesConverter : JsonConverter<int[]>
    {
        public override int[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            try
            {
                return Parse(ref reader);
            }
            catch (NerveException e)
            {
                throw new JsonException(e.Message, e);
            }
        }

        private static int[] Parse(ref Utf8JsonReader reader)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.Number:
                    return Sizes.Parse(reader.GetInt32().ToString(CultureInfo.InvariantCulture), "sizes");
                case JsonTokenType.String:
                    return Sizes.Parse(reader.GetString()!, "sizes", allowNone: true);
                case JsonTokenType.StartArray:
                    var parts = new List<string>();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        parts.Add(reader.TokenType == JsonTokenType.String ? reader.GetString()! : reader.GetInt32().ToString(CultureInfo.InvariantCulture));
                    return Sizes.Parse(string.Join(",", parts), "sizes");
                default:
                    throw new JsonException("expected sizes such as 100, \"100,50\" or [100, 50]");
            }
        }

        public override void Write(Utf8JsonWriter writer, int[] value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (int v in value) writer.WriteNumberValue(v);
            writer.WriteEndArray();
        }
    }
}

/// <summary>Lists of sizes as users type them: "100,50".</summary>
public static class Sizes
{
    /// <summary>"100,50" → [100, 50]; with <paramref name="allowNone"/>, "none" → [].</summary>
    public static int[] Parse(string text, string option, bool allowNone = false)
    {
        if (allowNone && TrainSettings.None(text) is null) return [];
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1)
                throw new NerveException($"{option}: expected comma-separated sizes ≥ 1 such as 100 or 100,50, found \"{text}\"");
        if (sizes.Length == 0) throw new NerveException($"{option}: expected at least one size, found \"{text}\"");
        return sizes;
    }
}
