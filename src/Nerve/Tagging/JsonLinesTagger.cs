using System.Buffers;
using System.Text.Json;
using Nerve.Model;

namespace Nerve.Tagging;

/// <summary>Options of <see cref="JsonLinesTagger.Tag"/>.</summary>
public sealed record JsonLinesOptions
{
    /// <summary>Each line is JSON: an object <c>{"id": any, "text": string}</c> (id optional) or a string. Otherwise each line is raw text.</summary>
    public bool JsonInput { get; init; }

    /// <summary>Write each document's tokens (false: entities only).</summary>
    public bool Tokens { get; init; } = true;

    /// <summary>The unit of the offsets written.</summary>
    public OffsetUnit Offsets { get; init; } = OffsetUnit.Utf16;

    /// <summary>Workers; the output order is the input order whatever their number.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>What splits one line's text into several documents (<see cref="RecognizeOptions.Documents"/>).</summary>
    public Corpus.DocumentSeparator Documents { get; init; }

    /// <summary>Lines a worker takes at a time (memory is bounded by Threads × this many lines).</summary>
    public int ChunkLines { get; init; } = 256;
}

/// <summary>What <see cref="JsonLinesTagger.Tag"/> did.</summary>
/// <param name="Lines">Input lines (= output lines).</param>
/// <param name="Tokens">Tokens tagged.</param>
/// <param name="Errors">Lines answered with an error object.</param>
public sealed record JsonLinesResult(long Lines, long Tokens, long Errors);

/// <summary>
/// The filter contract of <c>nerve tag --output-format jsonl</c>: one JSON line out per line in, in the same order, the
/// id echoed; the input is read in chunks of lines that <see cref="JsonLinesOptions.Threads"/> workers tag at once
/// (a bounded round: constant memory on input of any size). A line that cannot be read (not JSON, no string "text",
/// an empty line) is answered with <c>{"id"?, "error": "NAME:LINE: …"}</c> and the run goes on.
/// </summary>
public static class JsonLinesTagger
{
    /// <summary>Tags every line of <paramref name="reader"/> (called <paramref name="name"/> in errors) into <paramref name="output"/>.</summary>
    public static JsonLinesResult Tag(NerModel model, TextReader reader, string name, Stream output, JsonLinesOptions? options = null, Action<string>? warn = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(output);
        var o = options ?? new JsonLinesOptions();
        int threads = Math.Max(1, o.Threads), chunk = Math.Max(1, o.ChunkLines);
        var recognizers = new Recognizer[threads];
        var work = new Chunk[threads];
        for (int t = 0; t < threads; t++)
        {
            recognizers[t] = new Recognizer(model, new RecognizeOptions { Offsets = o.Offsets, Documents = o.Documents });
            work[t] = new Chunk();
        }
        long lineNo = 0, tokens = 0, errors = 0;
        while (true)
        {
            int used = 0;
            for (; used < threads; used++)
            {
                var c = work[used];
                c.Lines.Clear();
                c.FirstLine = lineNo + 1;
                string? line = null;
                while (c.Lines.Count < chunk && (line = reader.ReadLine()) is not null)
                {
                    if (lineNo == 0 && line.Length > 0 && line[0] == '\uFEFF') line = line[1..];
                    c.Lines.Add(line);
                    lineNo++;
                }
                if (c.Lines.Count == 0) break;
                if (line is null) { used++; break; }
            }
            if (used == 0) break;
            if (used == 1) Run(recognizers[0], work[0], name, o);
            else Parallel.For(0, used, new ParallelOptions { MaxDegreeOfParallelism = used }, t => Run(recognizers[t], work[t], name, o));
            for (int t = 0; t < used; t++)
            {
                output.Write(work[t].Output.WrittenSpan);
                tokens += work[t].Tokens;
                errors += work[t].Errors.Count;
                foreach (var e in work[t].Errors) warn?.Invoke(e);
            }
            if (work[used - 1].Lines.Count < chunk) break;
        }
        output.Flush();
        return new JsonLinesResult(lineNo, tokens, errors);
    }

    private sealed class Chunk
    {
        public List<string> Lines { get; } = [];
        public long FirstLine { get; set; }
        public ArrayBufferWriter<byte> Output { get; } = new();
        public List<string> Errors { get; } = [];
        public long Tokens { get; set; }
    }

    /// <summary>Reads, tags and writes one chunk's lines into its own buffer.</summary>
    private static void Run(Recognizer recognizer, Chunk c, string name, JsonLinesOptions o)
    {
        c.Output.ResetWrittenCount();
        c.Errors.Clear();
        c.Tokens = 0;
        int n = c.Lines.Count;
        var ids = new JsonElement?[n];
        var errors = new string?[n];
        var texts = new List<string>(n);
        for (int i = 0; i < n; i++)
        {
            string location = $"{name}:{c.FirstLine + i}";
            if (!o.JsonInput)
            {
                texts.Add(c.Lines[i]);
                continue;
            }
            (ids[i], string? text, errors[i]) = Parse(c.Lines[i], location);
            if (text is not null) texts.Add(text);
        }
        var docs = recognizer.Recognize(texts);
        using var w = new Utf8JsonWriter(c.Output, DocumentJson.WriterOptions());
        for (int i = 0, d = 0; i < n; i++)
        {
            if (errors[i] is { } error)
            {
                DocumentJson.WriteError(w, error, ids[i]);
                c.Errors.Add(error);
            }
            else
            {
                DocumentJson.Write(w, docs[d], o.Tokens, ids[i]);
                c.Tokens += docs[d++].Tokens.Count;
            }
            w.Flush();
            w.Reset();
            c.Output.Write("\n"u8);
        }
    }

    /// <summary>The id and text of a JSON line, or the error that answers it.</summary>
    private static (JsonElement? Id, string? Text, string? Error) Parse(string line, string location)
    {
        if (string.IsNullOrWhiteSpace(line)) return (null, null, $"{location}: expected a JSON object {{\"id\", \"text\"}} or a JSON string, found an empty line");
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.String) return (null, root.GetString(), null);
            if (root.ValueKind != JsonValueKind.Object)
                return (null, null, $"{location}: expected a JSON object {{\"id\", \"text\"}} or a JSON string, found {Kind(root.ValueKind)}");
            JsonElement? id = root.TryGetProperty("id", out var idValue) ? idValue.Clone() : null;
            if (!root.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
                return (id, null, $"{location}: expected a string \"text\" property, found {(text.ValueKind == JsonValueKind.Undefined ? "none" : Kind(text.ValueKind))}");
            return (id, text.GetString(), null);
        }
        catch (JsonException e)
        {
            return (null, null, $"{location}: not valid JSON: {e.Message.Split([" Path:", " LineNumber:"], 2, StringSplitOptions.None)[0]}");
        }
    }

    private static string Kind(JsonValueKind k) => k switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Number => "a number",
        JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Object => "an object",
        _ => "a string",
    };
}
