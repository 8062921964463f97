using System.Globalization;
using Nerve.Corpus;
using Nerve.Model;
using Nerve.Reports;
using Nerve.Vectors;

namespace Nerve.Jobs;

/// <summary>What `nerve tsne` does: t-SNE of word vectors before and after training, on one page.</summary>
public sealed record TsneJobOptions
{
    public string? ModelPath { get; init; }
    public required string OutPath { get; init; }
    /// <summary>The pretrained vectors; null takes the model's info.embeddings.</summary>
    public string? BeforePath { get; init; }
    /// <summary>A list of words, one per line; null takes the <see cref="Top"/> most frequent training words.</summary>
    public string? WordsPath { get; init; }
    public int Top { get; init; } = 500;
    /// <summary>The training corpus whose words are counted and labelled; null takes the model's info.train.</summary>
    public string? TrainPath { get; init; }
    public CorpusFormat Format { get; init; } = CorpusFormat.Auto;
    public ulong Seed { get; init; } = 1;
    public int Iterations { get; init; } = 1000;
}

/// <summary>
/// `nerve tsne`: the model's word table (after training) against the pretrained vectors it started from (before), for
/// the most frequent training words (or a given list) found in both, each coloured by its majority entity type in the
/// training data. Deterministic for a seed.
/// </summary>
public static class TsneJob
{
    public static IReadOnlyList<string> Run(TsneJobOptions o, IJobLog? log = null)
    {
        log ??= NullJobLog.Instance;
        var model = NerModel.Load(o.ModelPath ?? throw new NerveException("--model is required"));
        string before = o.BeforePath ?? (model.Info.GetValueOrDefault("embeddings") is { Length: > 0 } e ? e
            : throw new NerveException($"{o.ModelPath} was trained without pretrained vectors: give them with --before"));
        if (!File.Exists(before)) throw new NerveException($"{before}: vectors file not found (give it with --before)");
        // The model's info.train lists its training files comma-separated, as `--train a,b` took them.
        string[] trains = o.TrainPath is { } given ? [given]
            : model.Info.GetValueOrDefault("train") is { Length: > 0 } t ? t.Split(',') : [];
        foreach (string f in trains)
            if (!File.Exists(f)) throw new NerveException($"{f}: training corpus not found (the model's info.train; give it with --train)");
        if (trains.Length == 0 && o.WordsPath is null)
            throw new NerveException("the model names no training corpus: give --train or --words");
        string train = string.Join(", ", trains);
        var sentences = trains.SelectMany(f => CorpusReader.Read(f, o.Format).Sentences).ToList();
        var vectors = WordVectors.Load(before);
        log.Info($"vectors: {before}: {vectors.Count} words × {vectors.Dim}");
        var (words, labels, beforeRows, afterRows) = Select(model, vectors, sentences, o.WordsPath is null ? null : ReadWords(o.WordsPath), o.Top);
        log.Info($"t-SNE of {words.Count} words (seed {o.Seed})");
        var figure = TsneFigure.Build(words, beforeRows, afterRows, labels, new TsneOptions { Seed = o.Seed, Iterations = o.Iterations });
        var page = new HtmlReport($"Word vectors of {Path.GetFileName(o.ModelPath)} before and after training");
        page.Paragraph(string.Create(CultureInfo.InvariantCulture,
            $"{words.Count} words{(o.WordsPath is null ? $", the most frequent of {train}" : $" of {o.WordsPath}")} that are in both the model's vocabulary and {Path.GetFileName(before)}, " +
            $"coloured by the entity type each has most often in the training data (O when it is mostly outside entities). Hover a point for its word."));
        page.Chart(figure.Before, "tsne-before.svg");
        page.Chart(figure.After, "tsne-after.svg");
        return page.Save(o.OutPath);
    }

    /// <summary>
    /// The words to draw with their labels and rows: given <paramref name="list"/> or the <paramref name="top"/> most
    /// frequent (normalised) training words, keeping those with a row in both the vectors and the model's word table.
    /// </summary>
    public static (List<string> Words, List<string> Labels, List<float[]> Before, List<float[]> After) Select(
        NerModel model, WordVectors vectors, IReadOnlyList<Sentence> train, IReadOnlyList<string>? list, int top)
    {
        if (top < 5) throw new NerveException($"--top must be at least 5, got {top}");
        var vocab = model.Words;
        string Key(string w) => vocab.Lowercase ? w.ToLowerInvariant() : w;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var types = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        var surface = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var s in train)
            for (int i = 0; i < s.Count; i++)
            {
                string k = Key(s.Words[i]);
                counts[k] = counts.GetValueOrDefault(k) + 1;
                surface.TryAdd(k, s.Words[i]);
                var byType = types.TryGetValue(k, out var d) ? d : types[k] = new Dictionary<string, int>(StringComparer.Ordinal);
                string type = Tags.Split(s.Tags[i]).Type is { Length: > 0 } ty && s.Tags[i] != Tags.Outside ? ty : Tags.Outside;
                byType[type] = byType.GetValueOrDefault(type) + 1;
            }
        var candidates = list ?? [.. counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key)];
        var table = model.Network.Parameters[WindowModel<float>.TableName(model.Config, 0)];
        var values = model.Network.Parameters.Value(table);
        var result = (new List<string>(), new List<string>(), new List<float[]>(), new List<float[]>());
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var w in candidates)
        {
            if (result.Item1.Count == (list is null ? top : int.MaxValue)) break;
            string k = Key(w);
            int row = vocab.IndexOf(k);
            int v = vectors.IndexOf(surface.GetValueOrDefault(k, w)) is >= 0 and var a ? a : vectors.IndexOf(k) is >= 0 and var b ? b : vectors.IndexOf(w);
            if (row < 0 || row == vocab.UnknownIndex || v < 0 || !seen.Add(k)) continue;
            result.Item1.Add(w);
            result.Item2.Add(types.TryGetValue(k, out var d)
                ? d.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).First().Key : "unseen");
            result.Item3.Add(vectors[v].ToArray());
            result.Item4.Add(values.Slice(row * table.Cols, table.Cols).ToArray());
        }
        return result;
    }

    private static List<string> ReadWords(string path)
    {
        if (!File.Exists(path)) throw new NerveException($"{path}: words file not found");
        return [.. File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0)];
    }
}
