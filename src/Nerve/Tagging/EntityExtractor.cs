using Nerve.Corpus;
using Nerve.Model;
using Nerve.Text;

namespace Nerve.Tagging;

/// <summary>An entity found in raw text: its type, surface text, character offsets [Start, End) and mean token confidence.</summary>
public sealed record Entity(string Type, string Text, int Start, int End, double Confidence);

/// <summary>Raw text in, entities with character offsets out: tokenize, tag, decode spans in the model's scheme.</summary>
public static class EntityExtractor
{
    public static IReadOnlyList<Entity> Extract(NerModel model, string text, int threads = 1)
    {
        var sentences = Tokenizer.Sentences(text);
        var input = sentences.Select(s => new Sentence(s.Select(t => t.Text).ToArray(), s.Select(_ => "O").ToArray())).ToList();
        var prediction = model.Predict(input, threads);
        var entities = new List<Entity>();
        for (int i = 0; i < sentences.Count; i++)
        {
            var toks = sentences[i];
            foreach (var span in Tags.ToSpans(prediction.Tags[i], model.Scheme))
            {
                int start = toks[span.Start].Start, end = toks[span.End - 1].End;
                double conf = 0;
                for (int k = span.Start; k < span.End; k++) conf += prediction.Confidence[i][k];
                entities.Add(new Entity(span.Type, text[start..end], start, end, conf / (span.End - span.Start)));
            }
        }
        return entities;
    }
}
