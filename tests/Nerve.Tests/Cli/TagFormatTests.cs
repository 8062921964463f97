using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Nerve.Tagging;

namespace Nerve.Tests.Cli;

/// <summary>`nerve tag`'s output formats and the JSON lines filter contract, end to end on the small trained model.</summary>
[Trait("Category", "Acceptance")]
public partial class TagFormatTests
{
    private const string Lamb = "EU rejects German call to boycott British lamb.";

    [Fact]
    public void Json_of_piped_text_has_right_offsets_and_the_library_scores()
    {
        var (code, output, err) = NerveProcess.Run(Lamb + "\n", "tag", "--model", SmallModel.Path, "--text", "--output-format", "json");
        Assert.True(code == 0, err);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        string text = root.GetProperty("text").GetString()!;
        Assert.Equal(Lamb + "\n", text);
        var expected = SmallModel.Model.Recognize(text);
        var entities = root.GetProperty("entities").EnumerateArray().ToList();
        Assert.Equal(expected.Entities.Count, entities.Count);
        for (int i = 0; i < entities.Count; i++)
        {
            var e = entities[i];
            int start = e.GetProperty("start").GetInt32(), end = e.GetProperty("end").GetInt32();
            Assert.Equal(e.GetProperty("text").GetString(), text[start..end]);
            Assert.Equal((expected.Entities[i].Start, expected.Entities[i].End, expected.Entities[i].Label), (start, end, e.GetProperty("label").GetString()));
            Assert.Equal(Math.Round(expected.Entities[i].Score, 4), e.GetProperty("score").GetDouble());
            Assert.InRange(e.GetProperty("score").GetDouble(), 0.01, 1);
        }
        // What a person would mark in the CoNLL-2003 headline, found by the small model.
        Assert.Contains(entities, e => e.GetProperty("text").GetString() == "German" && e.GetProperty("label").GetString() == "MISC" && e.GetProperty("start").GetInt32() == 11);
        Assert.Contains(entities, e => e.GetProperty("text").GetString() == "British" && e.GetProperty("label").GetString() == "MISC" && e.GetProperty("end").GetInt32() == 41);
        var tokens = root.GetProperty("tokens").EnumerateArray().ToList();
        Assert.Equal(9, tokens.Count);
        foreach (var t in tokens) Assert.Equal(t.GetProperty("text").GetString(), text[t.GetProperty("start").GetInt32()..t.GetProperty("end").GetInt32()]);
    }

    [Fact]
    public void Inline_xml_keeps_the_original_text_and_escapes_it()
    {
        string text = "  Bill   Clinton <b>met</b>\n\nHelmut Kohl & the EU in Bonn.\r\n";
        var (code, output, err) = NerveProcess.Run(text, "tag", "--model", SmallModel.Path, "--text", "--output-format", "inline-xml");
        Assert.True(code == 0, err);
        var doc = SmallModel.Model.Recognize(text);
        Assert.NotEmpty(doc.Entities);
        foreach (var e in doc.Entities) Assert.Contains($"<{e.Label}>{WebUtility.HtmlEncode(e.Text).Replace("&#39;", "&apos;", StringComparison.Ordinal)}</{e.Label}>", output, StringComparison.Ordinal);
        string stripped = WebUtility.HtmlDecode(Element().Replace(output, ""));
        Assert.Equal(text, stripped);
        Assert.Contains("&lt;b&gt;met&lt;/b&gt;", output, StringComparison.Ordinal);
        Assert.Contains(" &amp; ", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Slash_and_tsv_write_every_token_with_its_tag()
    {
        string text = "Angela Merkel visited Paris. Then she flew to Rome.";
        var doc = SmallModel.Model.Recognize(text);
        var (code, slash, _) = NerveProcess.Run(null, "tag", "--model", SmallModel.Path, text, "--output-format", "slash");
        Assert.Equal(0, code);
        var lines = slash.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length); // one sentence a line
        var words = lines.SelectMany(l => l.Split(' ')).ToArray();
        Assert.Equal(doc.Tokens.Select(t => t.Text + "/" + (t.Tag == "O" ? "O" : t.Tag[2..])), words);
        var (code2, tsv, _) = NerveProcess.Run(null, "tag", "--model", SmallModel.Path, text, "--output-format", "tsv");
        Assert.Equal(0, code2);
        Assert.Equal(string.Join("", doc.Tokens.Select((t, i) => $"{t.Text}\t{t.Tag}\n" + (t.Text == "." ? "\n" : ""))), tsv);
    }

    [Fact]
    public void Jsonl_filter_answers_every_line_in_order_with_ids_and_errors()
    {
        var input = new StringBuilder();
        input.Append("{\"id\": 7, \"text\": \"Angela Merkel visited Paris.\"}\n");
        input.Append("\"A plain JSON string about Boris Yeltsin.\"\n");
        input.Append("not json\n");
        input.Append("{\"id\": \"b\", \"txt\": \"wrong key\"}\n");
        input.Append('\n');
        input.Append("{\"id\": [1, 2], \"text\": \"Emoji 😀 before Berlin.\"}\r\n");
        var (code, output, err) = NerveProcess.Run(input.ToString(), "tag", "--model", SmallModel.Path, "--input-format", "jsonl", "--output-format", "jsonl", "--offsets", "codepoints", "--no-tokens");
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(6, lines.Length);
        Assert.Equal(7, lines[0].GetProperty("id").GetInt32());
        Assert.False(lines[1].TryGetProperty("id", out _));
        Assert.Contains("<stdin>:3: not valid JSON", lines[2].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("b", lines[3].GetProperty("id").GetString());
        Assert.Contains("<stdin>:4: expected a string \"text\"", lines[3].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("<stdin>:5:", lines[4].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("[1,2]", lines[5].GetProperty("id").GetRawText());
        Assert.All(lines.Where(l => !l.TryGetProperty("error", out _)), l => Assert.False(l.TryGetProperty("tokens", out _)));
        // Code points: "Berlin" starts after one emoji, which counts as one.
        var berlin = lines[5].GetProperty("entities").EnumerateArray().Single(e => e.GetProperty("text").GetString() == "Berlin");
        Assert.Equal("Emoji 😀 before ".EnumerateRunes().Count(), berlin.GetProperty("start").GetInt32());
        Assert.Contains("3 of 6 input lines", err, StringComparison.Ordinal);
        Assert.Empty(output.Split('\n')[^1]); // every line ends with a line feed
    }

    [Fact]
    public void Jsonl_output_does_not_depend_on_threads_or_chunks()
    {
        var lines = Nerve.Corpus.CorpusReader.Read(SmallModel.Dev).Sentences.Take(500).Select((s, i) => i % 17 == 5 ? "{bad" : JsonSerializer.Serialize(new { id = i, text = string.Join(' ', s.Words) })).ToList();
        string input = string.Join('\n', lines) + "\n";
        string Run(int threads, int chunk)
        {
            using var output = new MemoryStream();
            var r = JsonLinesTagger.Tag(SmallModel.Model, new StringReader(input), "<stdin>", output, new JsonLinesOptions { JsonInput = true, Threads = threads, ChunkLines = chunk });
            Assert.Equal(lines.Count, r.Lines);
            return Encoding.UTF8.GetString(output.ToArray());
        }
        string one = Run(1, 256);
        Assert.Equal(lines.Count, one.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(one, Run(3, 7));
        Assert.Equal(one, Run(2, 500));
        Assert.Equal(one, Run(4, 1));
        var (code, cli, _) = NerveProcess.Run(input, "tag", "--model", SmallModel.Path, "--input-format", "jsonl", "--output-format", "jsonl", "--threads", "2");
        Assert.Equal(0, code);
        Assert.Equal(one, cli);
    }

    [Fact]
    public void Jsonl_input_needs_jsonl_output()
    {
        var (code, _, err) = NerveProcess.Run("{}\n", "tag", "--model", SmallModel.Path, "--input-format", "jsonl", "--output-format", "json");
        Assert.Equal(1, code);
        Assert.Contains("use --output-format jsonl", err, StringComparison.Ordinal);
    }

    [GeneratedRegex("</?[A-Z]+>")]
    private static partial Regex Element();
}
