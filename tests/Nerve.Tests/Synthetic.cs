using Nerve.Corpus;
using Nerve.Features;
using Nerve.Model;
using Nerve.Tagging;
using Nerve.Training;

namespace Nerve.Tests;

/// <summary>A small learnable corpus: names are PER, cities LOC (IOB1, multi-token names), everything else O.</summary>
internal static class Synthetic
{
    private static readonly string[] Names = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank"];
    private static readonly string[] Cities = ["Paris", "Rome", "Bonn", "Oslo", "Lima"];
    private static readonly string[] Filler = ["the", "met", "in", "and", "said", "on", "a", "visit", "to", "from", "with", "today", "while", "he", "she"];

    public static List<Sentence> Corpus(int sentences, int seed)
    {
        var rng = new Random(seed);
        var result = new List<Sentence>();
        for (int s = 0; s < sentences; s++)
        {
            var words = new List<string>();
            var tags = new List<string>();
            int n = rng.Next(4, 12);
            while (words.Count < n)
            {
                int kind = rng.Next(5);
                if (kind == 0)
                {
                    words.Add(Names[rng.Next(Names.Length)]);
                    tags.Add("I-PER");
                    if (rng.Next(3) == 0) { words.Add(Names[rng.Next(Names.Length)] + "son"); tags.Add("I-PER"); }
                }
                else if (kind == 1)
                {
                    words.Add(Cities[rng.Next(Cities.Length)]);
                    tags.Add("I-LOC");
                }
                else
                {
                    words.Add(Filler[rng.Next(Filler.Length)]);
                    tags.Add("O");
                }
            }
            result.Add(new Sentence([.. words], [.. tags]));
        }
        return result;
    }

    /// <summary>Writes sentences as "word NN tag" lines, a blank line after each sentence.</summary>
    public static void Write(string path, IEnumerable<Sentence> sentences)
        => File.WriteAllText(path, string.Concat(sentences.Select(s => string.Concat(s.Words.Select((w, i) => $"{w} NN {s.Tags[i]}\n")) + "\n")));

    public static NerModel NewModel(IReadOnlyList<Sentence> train, int seed, int hidden = 16, int dim = 8)
    {
        var vocab = Vocabulary.BuildFromCorpus(train, 1, lowercase: true);
        var labels = train.SelectMany(s => s.Tags).Distinct().OrderBy(t => t == "O" ? "" : t, StringComparer.Ordinal).ToArray();
        var config = new ModelConfig
        {
            Window = 3,
            Hidden = [hidden],
            Labels = labels,
            Features = new Featurizer(vocab).Specs(dim),
        };
        var net = new WindowModel<float>(config);
        net.Initialize(new Random(seed));
        return new NerModel(net, new Featurizer(vocab), TagScheme.IOB1, TagScheme.IOB1);
    }
}
