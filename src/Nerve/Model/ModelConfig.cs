using System.Text.Json;
using System.Text.Json.Serialization;
using Nerve.Features;

namespace Nerve.Model;

/// <summary>The output head: softmax over K classes, or PA4's sigmoid for one positive class against O.</summary>
public enum OutputKind
{
    Softmax,
    Sigmoid,
    /// <summary>Sentence-level log-likelihood: a linear-chain CRF over the window scores (Collobert et al. 2011 §3.3.2).</summary>
    Crf,
}

/// <summary>The architecture of a window network; saved in the model file and enough to rebuild it.</summary>
public sealed record ModelConfig
{
    /// <summary>C = 2m + 1 tokens per window (PA4 default 5).</summary>
    public int Window { get; init; } = 5;

    /// <summary>Hidden layer sizes, first to last (PA4: one layer of H = 100).</summary>
    public IReadOnlyList<int> Hidden { get; init; } = [100];

    public ActivationKind Activation { get; init; } = ActivationKind.Tanh;

    public OutputKind Output { get; init; } = DefaultOutput;

    /// <summary>The head a configuration gets unless it names one.</summary>
    public const OutputKind DefaultOutput = OutputKind.Softmax;

    /// <summary>Class labels in output order. For the sigmoid head: [negative, positive].</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>Embedding tables concatenated in every window slot; the first is the word table L.</summary>
    public IReadOnlyList<FeatureSpec> Features { get; init; } = [];

    /// <summary>The character-level convolution whose per-word feature ends every window slot, or null (omitted when saved).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CharCnnConfig? CharCnn { get; init; }

    /// <summary>Lowercase words before the vocabulary lookup (PA4 normalisation).</summary>
    public bool Lowercase { get; init; } = true;

    /// <summary>Output units: K for softmax, 1 for sigmoid.</summary>
    [JsonIgnore]
    public int OutputDim => Output == OutputKind.Sigmoid ? 1 : Labels.Count;

    /// <summary>Width of one window slot: Σ feature dims, plus the character filters.</summary>
    [JsonIgnore]
    public int SlotWidth => Features.Sum(f => f.Dim) + (CharCnn?.Filters ?? 0);

    /// <summary>Ids per token in a window's ids (B, C, ·): one per feature table, plus the character ids.</summary>
    [JsonIgnore]
    public int IdsPerToken => Features.Count + (CharCnn?.MaxLength ?? 0);

    /// <summary>The column of feature table k among a token's ids: the character ids sit before the tables from <see cref="CharCnnConfig.Column"/> on.</summary>
    public int Column(int k) => CharCnn is { } c && k >= c.Column ? k + c.MaxLength : k;

    /// <summary>Width of x: C · slot width.</summary>
    [JsonIgnore]
    public int InputDim => Window * SlotWidth;

    /// <summary>Throws <see cref="NerveException"/> when the configuration cannot make a model.</summary>
    public void Validate()
    {
        if (Window < 1 || Window % 2 == 0)
            throw new NerveException($"window must be an odd number ≥ 1, found {Window}");
        if (Hidden.Count == 0 || Hidden.Any(h => h < 1))
            throw new NerveException($"hidden layer sizes must be ≥ 1, found [{string.Join(",", Hidden)}]");
        if (Features.Count == 0 || Features.Any(f => f.Size < 1 || f.Dim < 1))
            throw new NerveException("every feature table needs a size and a dimension ≥ 1");
        if (CharCnn is { } c && (c.Alphabet < 5 || c.Dim < 1 || c.Filters < 1 || c.Width < 1 || c.MaxLength < 3 || c.Width > c.MaxLength || c.Column < 1 || c.Column > Features.Count))
            throw new NerveException($"character convolution needs an alphabet, sizes ≥ 1, a maximum length ≥ 3 and a width ≤ it, found {c}");
        if (Output == OutputKind.Sigmoid && Labels.Count != 2)
            throw new NerveException($"the sigmoid head needs exactly two labels (negative, positive), found {Labels.Count}");
        if (Output != OutputKind.Sigmoid && Labels.Count < 2)
            throw new NerveException($"the {Output.ToString().ToLowerInvariant()} head needs at least two labels, found {Labels.Count}");
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = false,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static ModelConfig FromJson(string json)
        => JsonSerializer.Deserialize<ModelConfig>(json, JsonOptions) ?? throw new NerveException("model configuration is empty");
}

/// <summary>
/// The character-level convolution (CharWNN, dos Santos &amp; Guimarães 2015): a table of <see cref="Alphabet"/> character
/// embeddings of <see cref="Dim"/>, <see cref="Filters"/> filters over windows of <see cref="Width"/> characters, words as
/// <see cref="MaxLength"/> character ids starting at id column <see cref="Column"/> of each token.
/// </summary>
public sealed record CharCnnConfig(int Alphabet, int Dim, int Filters, int Width, int MaxLength, int Column);
