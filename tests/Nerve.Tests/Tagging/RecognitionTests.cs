using System.Globalization;
using System.Text;
using Nerve.Corpus;
using Nerve.Tagging;
using Nerve.Text;

namespace Nerve.Tests.Tagging;

/// <summary>The library API (<see cref="Recognition"/>) on a trained CRF model with every feature kind.</summary>
[Trait("Category", "Acceptance")]
public class RecognitionTests
{
    /// <summary>CoNLL-2003 dev detokenised by joining each sentence's tokens with single spaces, one sentence per line.</summary>
    private static List<string> DevLines() =>
        [.. CorpusReader.Read(SmallModel.Dev).Sentences.Where(s => s.Count > 0).Select(s => string.Join(' ', s.Words))];

    [Fact]
    public void Offsets_index_the_text_for_every_entity_and_token_of_dev()
    {
        var model = SmallModel.Model;
        var lines = DevLines();
        string text = string.Join('\n', lines.Take(400)); // one multi-sentence document, the rest line by line
        var docs = new[] { model.Recognize(text) }.Concat(model.RecognizeMany(lines)).ToList();
        Assert.Equal(lines.Count + 1, docs.Count);
        int entities = 0;
        foreach (var d in docs)
        {
            foreach (var e in d.Entities)
            {
                Assert.Equal(e.Text, d.Text[e.Start..e.End]);
                Assert.InRange(e.Score, 0, 1);
                Assert.DoesNotContain('-', e.Label[..1]);
                entities++;
            }
            foreach (var t in d.Tokens) Assert.Equal(t.Text, d.Text[t.Start..t.End]);
            Assert.Equal(Tokenizer.Tokenize(d.Text).Count, d.Tokens.Count);
        }
        Assert.True(entities > 3000, $"{entities} entities on dev");
        // The batched stream gives what one call per text gives, in order.
        for (int i = 0; i < 50; i++) Assert.Equal(Json(model.Recognize(lines[i])), Json(docs[i + 1]));
    }

    [Fact]
    public void Code_point_offsets_count_an_emoji_as_one()
    {
        var model = SmallModel.Model;
        string text = "🎉 Angela Merkel 👩‍👩‍👧 met 🇫🇷 Jacques Chirac in Paris 😀 on Monday.";
        var utf16 = model.Recognize(text);
        var cp = model.Recognize(text, new RecognizeOptions { Offsets = OffsetUnit.CodePoints });
        int[] codePoints = [.. text.EnumerateRunes().Select(r => r.Value)];
        string FromCodePoints(int start, int end) => string.Concat(codePoints[start..end].Select(char.ConvertFromUtf32));
        Assert.Equal(utf16.Tokens.Count, cp.Tokens.Count);
        for (int i = 0; i < cp.Tokens.Count; i++)
        {
            Assert.Equal(cp.Tokens[i].Text, FromCodePoints(cp.Tokens[i].Start, cp.Tokens[i].End));
            Assert.Equal(utf16.Tokens[i].Tag, cp.Tokens[i].Tag);
        }
        Assert.Equal(utf16.Entities.Count, cp.Entities.Count);
        foreach (var e in cp.Entities) Assert.Equal(e.Text, FromCodePoints(e.Start, e.End));
        Assert.Contains(cp.Tokens, t => t.Text == "Paris" && t.Start != utf16.Tokens.Single(u => u.Text == "Paris").Start);
    }

    [Fact]
    public void Many_threads_at_once_get_the_single_threaded_results()
    {
        var model = SmallModel.Model;
        var lines = DevLines().Take(600).ToList();
        var expected = lines.Select(l => Json(model.Recognize(l))).ToArray();
        var parallel = new string[lines.Count];
        var batched = new string[lines.Count];
        Parallel.For(0, lines.Count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => parallel[i] = Json(model.Recognize(lines[i])));
        // Threads streaming overlapping batches through RecognizeMany at the same time.
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, t =>
        {
            int from = t * 150;
            var docs = model.RecognizeMany(lines.Skip(from).Take(150), new RecognizeOptions { BatchTokens = 64 + t * 500 }).ToList();
            for (int i = 0; i < docs.Count; i++) batched[from + i] = Json(docs[i]);
        });
        Assert.Equal(expected, parallel);
        Assert.Equal(expected, batched);
    }

    [Fact]
    public void Tags_and_token_scores_are_those_of_predict_and_entity_scores_are_span_probabilities()
    {
        var model = SmallModel.Model;
        var sentences = CorpusReader.Read(SmallModel.Dev).Sentences.Take(300).ToList();
        var prediction = model.Predict(sentences);
        var annotations = model.Annotate(sentences);
        for (int s = 0; s < sentences.Count; s++)
        {
            Assert.Equal(prediction.Tags[s], annotations[s].Tags);
            Assert.Equal(prediction.Confidence[s], annotations[s].Scores);
            foreach (var e in annotations[s].Entities)
            {
                // A span's probability is at most the marginal of any one of its tokens' labels.
                for (int t = e.Start; t < e.End; t++) Assert.True(e.Score <= annotations[s].Scores[t] + 1e-4, $"{e} vs token {t} {annotations[s].Scores[t]}");
                if (e.End - e.Start == 1) Assert.Equal(annotations[s].Scores[e.Start], e.Score, 1e-4); // S-X: the token marginal (float lattice)
            }
        }
    }

    private static string Json(RecognizedDocument d)
    {
        var b = new StringBuilder(d.Text).Append('|');
        foreach (var e in d.Entities) b.Append(CultureInfo.InvariantCulture, $"{e.Start},{e.End},{e.Label},{e.Text},{e.Score:R};");
        foreach (var t in d.Tokens) b.Append(CultureInfo.InvariantCulture, $"{t.Start},{t.End},{t.Text},{t.Tag},{t.Score:R};");
        return b.ToString();
    }
}
