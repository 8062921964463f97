using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;
using Nerve.Tagging;

namespace Nerve.Server;

/// <summary>
/// <c>POST /v1/entities</c>: a <c>text/plain</c> body, <c>{"text": …}</c> or <c>{"texts": [...]}</c> in; the JSON of
/// <see cref="DocumentJson"/> out (an array of documents for "texts"), without tokens when <c>?tokens=false</c>. Texts
/// of one request go through the model together (<see cref="Recognition.RecognizeMany"/>); the request's cancellation
/// (the client gone, or <see cref="ServeOptions.Timeout"/> past) is checked before and after each document.
/// </summary>
internal static class EntitiesEndpoint
{
    /// <summary>The body size that can hold <paramref name="maxChars"/> characters in any accepted form: JSON's \uXXXX takes 6 bytes a character.</summary>
    public static long MaxBytes(int maxChars) => 6L * maxChars + (64 << 10);

    public static async Task<IResult> Handle(HttpContext context)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<ServeOptions>();
        var metrics = services.GetRequiredService<ServerMetrics>();
        metrics.Enter();
        try
        {
            if (services.GetRequiredService<ModelState>().Model is not { } model)
                return Problem(StatusCodes.Status503ServiceUnavailable, "The model is loading", "Try again when GET /readyz answers 200.");
            var request = context.Request;
            bool json;
            if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
                json = true;
            else if (type is not null && type.MediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase))
                json = false;
            else
                return Problem(StatusCodes.Status400BadRequest, "Wrong content type",
                    $"Send text/plain or application/json ({{\"text\": …}} or {{\"texts\": [...]}}), not '{request.ContentType}'.");

            long maxBytes = MaxBytes(options.MaxChars);
            if (request.ContentLength > maxBytes) return TooLarge(options);
            byte[] body;
            try
            {
                body = await ReadAll(request, maxBytes, context.RequestAborted).ConfigureAwait(false);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return TooLarge(options);
            }
            if (body.Length > maxBytes) return TooLarge(options);

            List<string> texts;
            bool batch = false;
            if (json)
            {
                if (Parse(body, out batch) is not { } parsed) return Problem(StatusCodes.Status400BadRequest, "Malformed request", ParseError);
                texts = parsed;
            }
            else
            {
                texts = [(type!.Encoding ?? Encoding.UTF8).GetString(body.AsSpan(body.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0))];
            }
            long chars = texts.Sum(t => (long)t.Length);
            if (chars > options.MaxChars) return TooLarge(options);

            bool tokens = !string.Equals(request.Query["tokens"], "false", StringComparison.OrdinalIgnoreCase);
            var cancel = context.RequestAborted;
            cancel.ThrowIfCancellationRequested();
            var documents = new List<RecognizedDocument>(texts.Count);
            long tagged = 0;
            foreach (var d in model.RecognizeMany(texts))
            {
                documents.Add(d);
                tagged += d.Tokens.Count;
                cancel.ThrowIfCancellationRequested();
            }
            metrics.Tagged(documents.Count, tagged);

            var buffer = new ArrayBufferWriter<byte>();
            using (var w = new Utf8JsonWriter(buffer, DocumentJson.WriterOptions()))
            {
                if (batch) w.WriteStartArray();
                foreach (var d in documents) DocumentJson.Write(w, d, tokens);
                if (batch) w.WriteEndArray();
            }
            return Results.Bytes(buffer.WrittenMemory.ToArray(), "application/json; charset=utf-8");
        }
        finally
        {
            metrics.Leave();
        }
    }

    private const string ParseError = "The body must be a JSON object {\"text\": \"…\"} or {\"texts\": [\"…\", …]}.";

    /// <summary>The texts of a JSON body, or null when it is not one of the two accepted shapes.</summary>
    private static List<string>? Parse(byte[] body, out bool batch)
    {
        batch = false;
        try
        {
            using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 4 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            if (root.TryGetProperty("text", out var text))
                return text.ValueKind == JsonValueKind.String ? [text.GetString()!] : null;
            if (!root.TryGetProperty("texts", out var texts) || texts.ValueKind != JsonValueKind.Array) return null;
            batch = true;
            var list = new List<string>(texts.GetArrayLength());
            foreach (var t in texts.EnumerateArray())
            {
                if (t.ValueKind != JsonValueKind.String) return null;
                list.Add(t.GetString()!);
            }
            return list;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The whole body, reading at most one byte past <paramref name="maxBytes"/> (Kestrel's own limit answers first).</summary>
    private static async Task<byte[]> ReadAll(HttpRequest request, long maxBytes, CancellationToken cancel)
    {
        using var ms = new MemoryStream(request.ContentLength is { } n and < int.MaxValue ? (int)n : 4096);
        var chunk = new byte[16 << 10];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancel).ConfigureAwait(false)) > 0)
        {
            ms.Write(chunk, 0, read);
            if (ms.Length > maxBytes) break;
        }
        return ms.ToArray();
    }

    private static IResult TooLarge(ServeOptions options) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Request too large", $"A request may carry at most {options.MaxChars:N0} characters (--max-chars).");

    /// <summary>An RFC 9457 problem (application/problem+json).</summary>
    public static IResult Problem(int status, string title, string detail) => Results.Problem(statusCode: status, title: title, detail: detail);
}
