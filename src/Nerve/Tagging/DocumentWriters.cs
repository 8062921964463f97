using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Nerve.Corpus;

namespace Nerve.Tagging;

/// <summary>The formats <c>nerve tag</c> writes (CoreNLP's <c>outputFormat</c>).</summary>
public enum TagOutputFormat
{
    /// <summary>CoNLL columns: the input's columns, then the predicted tag.</summary>
    Conll,

    /// <summary>One JSON object for the whole input: text, entities, tokens.</summary>
    Json,

    /// <summary>One JSON object per input line (or per sentence of column input).</summary>
    Jsonl,

    /// <summary>Stanford's inlineXML: the text with entities wrapped as <c>&lt;PER&gt;Bill Clinton&lt;/PER&gt;</c>, spacing kept.</summary>
    InlineXml,

    /// <summary>Stanford's slashTags: <c>word/TYPE</c> (or <c>word/O</c>) joined by spaces, one sentence per line.</summary>
    Slash,

    /// <summary>Token TAB tag, one token per line, a blank line after each sentence.</summary>
    Tsv,
}

/// <summary>
/// <see cref="RecognizedDocument"/>s as JSON, with System.Text.Json's <see cref="Utf8JsonWriter"/> (no reflection):
/// <c>{"id"?, "text", "entities": [{"start", "end", "label", "text", "score"}], "tokens": [{"start", "end", "text", "tag", "score"}]}</c>.
/// Numbers are invariant; scores are rounded to <see cref="Decimals"/> places. Non-ASCII text is written as UTF-8, not
/// escaped (the relaxed encoder: fine for JSON files and <c>application/json</c> bodies, not for inlining into HTML).
/// </summary>
public static class DocumentJson
{
    /// <summary>Decimal places of a written score.</summary>
    public const int Decimals = 4;

    /// <summary>Writer options: relaxed escaping, compact or indented.</summary>
    public static JsonWriterOptions WriterOptions(bool indented = false) => new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = indented };

    /// <summary>Writes one document as an object; <paramref name="id"/> (any JSON value) first when given, tokens only when <paramref name="tokens"/>.</summary>
    public static void Write(Utf8JsonWriter w, RecognizedDocument document, bool tokens = true, JsonElement? id = null)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(document);
        w.WriteStartObject();
        if (id is { } value)
        {
            w.WritePropertyName("id");
            value.WriteTo(w);
        }
        w.WriteString("text", document.Text);
        w.WriteStartArray("entities");
        foreach (var e in document.Entities)
        {
            w.WriteStartObject();
            w.WriteNumber("start", e.Start);
            w.WriteNumber("end", e.End);
            w.WriteString("label", e.Label);
            w.WriteString("text", e.Text);
            w.WriteNumber("score", Math.Round(e.Score, Decimals));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (tokens)
        {
            w.WriteStartArray("tokens");
            foreach (var t in document.Tokens)
            {
                w.WriteStartObject();
                w.WriteNumber("start", t.Start);
                w.WriteNumber("end", t.End);
                w.WriteString("text", t.Text);
                w.WriteString("tag", t.Tag);
                w.WriteNumber("score", Math.Round(t.Score, Decimals));
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    /// <summary>Writes <c>{"id"?, "error"}</c>: the answer to an input line that could not be read.</summary>
    public static void WriteError(Utf8JsonWriter w, string message, JsonElement? id = null)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        if (id is { } value)
        {
            w.WritePropertyName("id");
            value.WriteTo(w);
        }
        w.WriteString("error", message);
        w.WriteEndObject();
    }
}

/// <summary>The plain-text formats of a <see cref="RecognizedDocument"/> (which must have UTF-16 offsets).</summary>
public static class DocumentText
{
    /// <summary>
    /// Stanford's inlineXML: the original text, every character kept, with each entity wrapped in an element named
    /// after its label (<c>&lt;PER&gt;Bill Clinton&lt;/PER&gt;</c>); text and labels are XML-escaped.
    /// </summary>
    public static void WriteInlineXml(TextWriter w, RecognizedDocument document)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(document);
        string text = document.Text;
        int at = 0;
        foreach (var e in document.Entities)
        {
            Escape(w, text.AsSpan(at, e.Start - at));
            w.Write('<');
            Escape(w, e.Label);
            w.Write('>');
            Escape(w, text.AsSpan(e.Start, e.End - e.Start));
            w.Write("</");
            Escape(w, e.Label);
            w.Write('>');
            at = e.End;
        }
        Escape(w, text.AsSpan(at));
    }

    /// <summary>
    /// Stanford's slashTags without preserved spacing: each sentence on a line, its tokens joined by one space as
    /// <c>word/TYPE</c>, TYPE the entity type without its B-/I- prefix (as Stanford's answers are) or <c>O</c>.
    /// </summary>
    public static void WriteSlash(TextWriter w, RecognizedDocument document)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(document);
        foreach (var (from, to) in Sentences(document))
        {
            for (int i = from; i < to; i++)
            {
                if (i > from) w.Write(' ');
                var t = document.Tokens[i];
                var type = Tags.Split(t.Tag).Type;
                w.Write(t.Text);
                w.Write('/');
                w.Write(type.Length == 0 ? Tags.Outside : type);
            }
            w.Write('\n');
        }
    }

    /// <summary>Token TAB tag (in the corpus scheme) per line, a blank line after each sentence.</summary>
    public static void WriteTsv(TextWriter w, RecognizedDocument document)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(document);
        foreach (var (from, to) in Sentences(document))
        {
            for (int i = from; i < to; i++)
            {
                w.Write(document.Tokens[i].Text);
                w.Write('\t');
                w.Write(document.Tokens[i].Tag);
                w.Write('\n');
            }
            w.Write('\n');
        }
    }

    /// <summary>Each sentence's token range [from, to); the whole document is one sentence when none are recorded.</summary>
    private static IEnumerable<(int From, int To)> Sentences(RecognizedDocument d)
    {
        var starts = d.SentenceStarts.Count > 0 ? d.SentenceStarts : d.Tokens.Count > 0 ? [0] : [];
        for (int s = 0; s < starts.Count; s++) yield return (starts[s], s + 1 < starts.Count ? starts[s + 1] : d.Tokens.Count);
    }

    private static void Escape(TextWriter w, ReadOnlySpan<char> s)
    {
        int at = 0;
        for (int i = 0; i < s.Length; i++)
        {
            string? entity = s[i] switch { '<' => "&lt;", '>' => "&gt;", '&' => "&amp;", '"' => "&quot;", '\'' => "&apos;", _ => null };
            if (entity is null) continue;
            w.Write(s[at..i]);
            w.Write(entity);
            at = i + 1;
        }
        w.Write(s[at..]);
    }

    /// <summary>The document in <paramref name="format"/> as a string (not for <see cref="TagOutputFormat.Conll"/>, whose columns come from the input).</summary>
    public static string Format(RecognizedDocument document, TagOutputFormat format, bool tokens = true)
    {
        if (format is TagOutputFormat.Json or TagOutputFormat.Jsonl)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer, DocumentJson.WriterOptions(format == TagOutputFormat.Json)))
                DocumentJson.Write(json, document, tokens);
            return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
        }
        var w = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        switch (format)
        {
            case TagOutputFormat.InlineXml: WriteInlineXml(w, document); break;
            case TagOutputFormat.Slash: WriteSlash(w, document); break;
            case TagOutputFormat.Tsv: WriteTsv(w, document); break;
            default: throw new ArgumentOutOfRangeException(nameof(format), format, "CoNLL columns are written from the input's columns");
        }
        return w.ToString();
    }
}
