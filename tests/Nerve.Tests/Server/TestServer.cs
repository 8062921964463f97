using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Nerve.Model;
using Nerve.Server;

namespace Nerve.Tests.Server;

/// <summary>A <see cref="NerveServer"/> on Kestrel at an ephemeral loopback port (port 0), with a client pointed at it.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestServer(WebApplication app, Uri address)
    {
        _app = app;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
    }

    public HttpClient Client { get; }

    /// <summary>The server's counters (<c>GET /metrics</c> prints them).</summary>
    internal ServerMetrics Metrics => _app.Services.GetRequiredService<ServerMetrics>();

    /// <summary>Starts a server whose model comes from <paramref name="load"/>; waits for it to be ready unless <paramref name="waitReady"/> is false.</summary>
    public static async Task<TestServer> Start(Func<CancellationToken, Task<NerModel>> load, ServeOptions? options = null, bool waitReady = true)
    {
        var app = NerveServer.Build((options ?? new ServeOptions { ModelPath = "unused" }) with { Host = "127.0.0.1", Port = 0 }, load, log: null, signals: false);
        await app.StartAsync();
        var server = new TestServer(app, new Uri(NerveServer.Addresses(app).Single()));
        if (waitReady) await server.WaitReady();
        return server;
    }

    public static Task<TestServer> Start(NerModel model, ServeOptions? options = null) => Start(_ => Task.FromResult(model), options);

    /// <summary>Polls /readyz until it answers 200 (the model loads on the thread pool after the server starts).</summary>
    public async Task WaitReady()
    {
        for (int i = 0; i < 3000; i++)
        {
            using var r = await Client.GetAsync(new Uri("/readyz", UriKind.Relative));
            if (r.StatusCode == HttpStatusCode.OK) return;
            await Task.Delay(10);
        }
        Assert.Fail("the server never became ready");
    }

    /// <summary>Waits until <paramref name="n"/> requests to /v1/entities are past the rate limiter and not answered.</summary>
    public async Task WaitInFlight(long n)
    {
        for (int i = 0; i < 3000 && Metrics.InFlight != n; i++) await Task.Delay(10);
        Assert.Equal(n, Metrics.InFlight);
    }

    public Task<HttpResponseMessage> Post(string body, string contentType, string path = "/v1/entities") =>
        Client.PostAsync(new Uri(path, UriKind.Relative), new StringContent(body, new MediaTypeHeaderValue(contentType)));

    /// <summary>
    /// Sends a POST over a plain socket with a Content-Length of <paramref name="length"/> but only <paramref name="partial"/>
    /// of the body, then reads the answer (status, media type, body) until the server closes the connection.
    /// </summary>
    public async Task<(int Status, string? MediaType, string Body)> RawPost(string contentType, int length, string partial)
    {
        var address = Client.BaseAddress!;
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        var stream = tcp.GetStream();
        string head = $"POST /v1/entities HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: {contentType}\r\nContent-Length: {length}\r\n\r\n";
        await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(head + partial));
        using var answer = new MemoryStream();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(1)); // a bound so a failing test cannot hang
        await stream.CopyToAsync(answer, cancel.Token);
        string text = System.Text.Encoding.UTF8.GetString(answer.ToArray());
        int split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, "no answer: " + text);
        var lines = text[..split].Split("\r\n");
        int status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        string? Header(string name) => lines.Skip(1).Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase)).Select(l => l[(name.Length + 1)..].Trim()).FirstOrDefault();
        string body = text[(split + 4)..];
        if (Header("Transfer-Encoding") == "chunked")
        {
            var sb = new System.Text.StringBuilder();
            for (int at = 0; ;)
            {
                int eol = body.IndexOf("\r\n", at, StringComparison.Ordinal);
                int size = Convert.ToInt32(body[at..eol], 16);
                if (size == 0) break;
                sb.Append(body, eol + 2, size); // ASCII bodies: characters are bytes
                at = eol + 2 + size + 2;
            }
            body = sb.ToString();
        }
        return (status, Header("Content-Type")?.Split(';')[0], body);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A request body that sends its first part, then waits for <see cref="Release"/> before sending the rest (a slow client).</summary>
internal sealed class StalledContent(string first, string rest, string contentType) : HttpContent
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _release.TrySetResult();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(first));
        await stream.FlushAsync();
        // Bounded so that a failing test cannot hang; the tests release it themselves.
        try { await _release.Task.WaitAsync(TimeSpan.FromMinutes(1)); }
        catch (TimeoutException) { }
        await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(rest));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false; // chunked: the server cannot know the body is incomplete
    }

    public StalledContent Typed()
    {
        Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return this;
    }
}
