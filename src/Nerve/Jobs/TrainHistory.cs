using System.Text.Json;
using System.Text.Json.Serialization;
using Nerve.Model;
using Nerve.Training;

namespace Nerve.Jobs;

/// <summary>One epoch of a model's training history: mean loss, train F1 and dev F1 (null without dev data), in percent.</summary>
public sealed record HistoryEpoch(
    [property: JsonPropertyName("epoch")] int Epoch,
    [property: JsonPropertyName("loss")] double Loss,
    [property: JsonPropertyName("train_f1")] double TrainF1,
    [property: JsonPropertyName("dev_f1")] double? DevF1,
    [property: JsonPropertyName("best")] bool Best);

/// <summary>
/// The per-epoch reports saved in the model file as <c>info.history</c> (JSON), for learning curves. Timings (tokens/s,
/// seconds) are left out: they differ between runs, and the same seed, data and threads must give the same model bytes.
/// </summary>
public static class TrainHistory
{
    public const string Key = "history";

    public static string ToJson(IEnumerable<EpochReport> epochs)
        => JsonSerializer.Serialize(epochs.Select(e => new HistoryEpoch(e.Epoch, e.Loss, e.TrainF1, e.DevF1, e.Best)).ToList());

    /// <summary>The history saved in <paramref name="model"/>; empty for models trained before it was saved.</summary>
    public static IReadOnlyList<HistoryEpoch> Read(NerModel model)
    {
        if (!model.Info.TryGetValue(Key, out var json) || json.Length == 0)
            return [];
        try
        {
            return JsonSerializer.Deserialize<List<HistoryEpoch>>(json) ?? [];
        }
        catch (JsonException e)
        {
            throw new NerveException($"the model's training history (info.{Key}) is not valid: {e.Message.Split(". ")[0]}");
        }
    }
}
