using System.Net;
using System.Text.Json;
using Nerve.Model;
using Nerve.Reports;
using Nerve.Server;
using Nerve.Tagging;

namespace Nerve.Tests.Server;

/// <summary>
/// `nerve serve` in process, on a real Kestrel at an ephemeral loopback port, with a small synthetic model: every
/// endpoint, and every error status as ProblemDetails (400 twice, 413, 429, 503, 504).
/// </summary>
public sealed class ServerTests
{
    private static readonly Lazy<NerModel> Model = new(() => Synthetic.NewModel(Synthetic.Corpus(40, 1), 3));

    private const string Text = "Alice met Bob in Paris . Carol flew to Berlin on Monday .";

    private static string Expected(IEnumerable<string> texts, bool tokens = true) =>
        string.Join(",", Model.Value.RecognizeMany(texts).Select(d => DocumentText.Format(d, TagOutputFormat.Jsonl, tokens).TrimEnd('\n')));

    [Fact]
    public async Task Plain_text_gives_the_library_document_with_tokens()
    {
        await using var server = await TestServer.Start(Model.Value);
        using var r = await server.Post(Text, "text/plain");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("application/json", r.Content.Headers.ContentType?.MediaType);
        string body = await r.Content.ReadAsStringAsync();
        Assert.Equal(Expected([Text]), body);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(Text, json.RootElement.GetProperty("text").GetString());
        Assert.Equal(13, json.RootElement.GetProperty("tokens").GetArrayLength());
    }

    [Fact]
    public async Task Json_text_and_a_batch_of_texts_give_documents_in_order_and_tokens_false_leaves_tokens_out()
    {
        await using var server = await TestServer.Start(Model.Value);
        using var one = await server.Post(JsonSerializer.Serialize(new { text = Text }), "application/json");
        Assert.Equal(Expected([Text]), await one.Content.ReadAsStringAsync());

        string[] texts = [Text, "", "Dave stayed in Rome .", "😀 Eve and Frank ."];
        using var many = await server.Post(JsonSerializer.Serialize(new { texts }), "application/json", "/v1/entities?tokens=false");
        Assert.Equal(HttpStatusCode.OK, many.StatusCode);
        string body = await many.Content.ReadAsStringAsync();
        Assert.Equal("[" + Expected(texts, tokens: false) + "]", body);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(texts.Length, json.RootElement.GetArrayLength());
        Assert.All(json.RootElement.EnumerateArray(), d => Assert.False(d.TryGetProperty("tokens", out _)));
    }

    [Theory]
    [InlineData("{\"text\": \"unterminated", "application/json", "Malformed request")]
    [InlineData("{\"texts\": [1, 2]}", "application/json", "Malformed request")]
    [InlineData("[\"a list\"]", "application/json", "Malformed request")]
    [InlineData("<text>Paris</text>", "application/xml", "Wrong content type")]
    [InlineData("text=Paris", "application/x-www-form-urlencoded", "Wrong content type")]
    public async Task Malformed_json_or_a_wrong_content_type_is_a_400_problem(string body, string type, string title)
    {
        await using var server = await TestServer.Start(Model.Value);
        using var r = await server.Post(body, type);
        await AssertProblem(r, HttpStatusCode.BadRequest, title);
    }

    [Fact]
    public async Task More_characters_than_max_chars_is_a_413_problem()
    {
        await using var server = await TestServer.Start(Model.Value, new ServeOptions { ModelPath = "unused", MaxChars = 21 });
        using var fits = await server.Post(JsonSerializer.Serialize(new { texts = new[] { "Alice met Bob", "in Paris" } }), "application/json");
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
        using var over = await server.Post(JsonSerializer.Serialize(new { texts = new[] { "Alice met Bob", "in Paris ." } }), "application/json");
        await AssertProblem(over, HttpStatusCode.RequestEntityTooLarge, "Request too large");
        // A body beyond what 21 characters can take in any encoding is cut off while it is read.
        using var huge = await server.Post(new string('a', (int)EntitiesEndpoint.MaxBytes(21) + 1), "text/plain");
        await AssertProblem(huge, HttpStatusCode.RequestEntityTooLarge, "Request too large");
    }

    [Fact]
    public async Task A_request_over_max_concurrency_is_a_429_problem()
    {
        await using var server = await TestServer.Start(Model.Value, new ServeOptions { ModelPath = "unused", MaxConcurrency = 1 });
        var stalled = new StalledContent("Alice met ", "Bob in Paris .", "text/plain").Typed();
        var first = server.Client.PostAsync(new Uri("/v1/entities", UriKind.Relative), stalled);
        await server.WaitInFlight(1);

        using (var second = await server.Post(Text, "text/plain"))
            await AssertProblem(second, HttpStatusCode.TooManyRequests, "Too many requests");

        stalled.Release();
        using var done = await first;
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal(Expected(["Alice met Bob in Paris ."]), await done.Content.ReadAsStringAsync());
        await server.WaitInFlight(0);
        using var third = await server.Post(Text, "text/plain");
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    [Fact]
    public async Task A_request_past_the_timeout_is_a_504_problem()
    {
        await using var server = await TestServer.Start(Model.Value, new ServeOptions { ModelPath = "unused", Timeout = TimeSpan.FromMilliseconds(200) });
        // Half a body, never finished: the request outlives --timeout whatever the machine's speed.
        var (status, type, body) = await server.RawPost("application/json", 40, "{\"text\": \"Alice met");
        Assert.Equal(504, status);
        Assert.Equal("application/problem+json", type);
        using (var json = JsonDocument.Parse(body))
        {
            Assert.Equal(504, json.RootElement.GetProperty("status").GetInt32());
            Assert.Equal("Timed out", json.RootElement.GetProperty("title").GetString());
        }
        string metrics = await server.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("nerve_http_requests_total{route=\"/v1/entities\",method=\"POST\",status=\"504\"} 1\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readyz_and_entities_answer_503_until_the_model_is_loaded_while_livez_answers_200()
    {
        var loaded = new TaskCompletionSource<NerModel>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TestServer.Start(_ => loaded.Task, waitReady: false);
        using (var live = await server.Client.GetAsync(new Uri("/livez", UriKind.Relative)))
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using (var ready = await server.Client.GetAsync(new Uri("/readyz", UriKind.Relative)))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using (var early = await server.Post(Text, "text/plain"))
            await AssertProblem(early, HttpStatusCode.ServiceUnavailable, "The model is loading");
        Assert.Contains("nerve_model_ready 0\n", await server.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);

        loaded.SetResult(Model.Value);
        await server.WaitReady();
        using var r = await server.Post(Text, "text/plain");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Contains("nerve_model_ready 1\n", await server.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_count_requests_by_route_and_status_errors_latency_and_tokens()
    {
        await using var server = await TestServer.Start(Model.Value);
        using (await server.Post(Text, "text/plain")) { }
        using (await server.Post(Text, "text/plain")) { }
        using (await server.Post("{", "application/json")) { }
        using var r = await server.Client.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal("text/plain", r.Content.Headers.ContentType?.MediaType);
        string text = await r.Content.ReadAsStringAsync();
        Assert.Contains("nerve_http_requests_total{route=\"/v1/entities\",method=\"POST\",status=\"200\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("nerve_http_requests_total{route=\"/v1/entities\",method=\"POST\",status=\"400\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("nerve_http_request_errors_total{route=\"/v1/entities\",status=\"400\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("nerve_http_request_duration_seconds_bucket{route=\"/v1/entities\",le=\"+Inf\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("nerve_http_request_duration_seconds_count{route=\"/v1/entities\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("nerve_documents_tagged_total 2\n", text, StringComparison.Ordinal);
        Assert.Contains("nerve_tokens_tagged_total 26\n", text, StringComparison.Ordinal); // 13 tokens, twice
        Assert.Contains("# TYPE nerve_http_request_duration_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("nerve_entities_in_flight 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_entities_endpoint_and_its_errors()
    {
        await using var server = await TestServer.Start(Model.Value);
        using var json = JsonDocument.Parse(await server.Client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var post = json.RootElement.GetProperty("paths").GetProperty("/v1/entities").GetProperty("post");
        var content = post.GetProperty("requestBody").GetProperty("content");
        Assert.True(content.TryGetProperty("application/json", out _));
        Assert.True(content.TryGetProperty("text/plain", out _));
        var responses = post.GetProperty("responses");
        foreach (var status in new[] { "200", "400", "413", "429", "503", "504" })
            Assert.True(responses.TryGetProperty(status, out _), $"no response {status}");
        Assert.True(json.RootElement.GetProperty("paths").TryGetProperty("/metrics", out _));
    }

    [Fact]
    public async Task The_page_is_self_contained_and_carries_the_displacy_colours()
    {
        await using var server = await TestServer.Start(Model.Value);
        using var r = await server.Client.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal("text/html", r.Content.Headers.ContentType?.MediaType);
        string html = await r.Content.ReadAsStringAsync();
        Assert.Contains("<textarea", html, StringComparison.Ordinal);
        Assert.Contains("\"PER\":\"" + Displacy.Colour("PER") + "\"", html, StringComparison.Ordinal);
        Assert.Contains("\"LOC\":\"" + Displacy.Colour("LOC") + "\"", html, StringComparison.Ordinal);
        Assert.Contains("prefers-color-scheme:dark", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/*LABEL-COLOURS*/", html, StringComparison.Ordinal);
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html); // no CDN: nothing loaded from elsewhere
    }

    [Fact]
    public void Options_that_cannot_work_are_refused_in_one_line()
    {
        var o = new ServeOptions { ModelPath = "m" };
        Assert.Contains("--port", Assert.Throws<NerveException>(() => (o with { Port = 70000 }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("--max-chars", Assert.Throws<NerveException>(() => (o with { MaxChars = 0 }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("--max-concurrency", Assert.Throws<NerveException>(() => (o with { MaxConcurrency = 0 }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("--timeout", Assert.Throws<NerveException>(() => (o with { Timeout = TimeSpan.Zero }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("--host", Assert.Throws<NerveException>(() => (o with { Host = "example.org" }).Validate()).Message, StringComparison.Ordinal);
    }

    internal static async Task AssertProblem(HttpResponseMessage r, HttpStatusCode status, string title)
    {
        Assert.Equal(status, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        Assert.Equal((int)status, json.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(title, json.RootElement.GetProperty("title").GetString());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("detail").GetString()));
    }
}
