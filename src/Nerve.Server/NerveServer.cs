using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.OpenApi;
using Nerve.Model;

namespace Nerve.Server;

/// <summary>
/// <c>nerve serve</c>: the library's <see cref="Tagging.Recognition"/> over HTTP with ASP.NET Core minimal APIs and
/// in-box middleware only (rate limiting, request timeouts, health checks, ProblemDetails, OpenAPI). Stateless: every
/// request is answered from the model alone, so instances scale out behind any load balancer.
/// <list type="bullet">
/// <item><c>POST /v1/entities</c>: <see cref="EntitiesEndpoint"/>; 400, 413, 429, 503, 504 as ProblemDetails.</item>
/// <item><c>GET /livez</c>, <c>GET /readyz</c> (503 until the model, loaded after Kestrel starts, is ready).</item>
/// <item><c>GET /metrics</c> (Prometheus text, <see cref="ServerMetrics"/>), <c>GET /openapi/v1.json</c>, and <c>GET /</c>, the page.</item>
/// </list>
/// </summary>
public static class NerveServer
{
    private const string EntitiesPolicy = "entities";

    /// <summary>
    /// The server, not started. The model is loaded by <paramref name="load"/> (default: <see cref="NerModel.Load"/> of
    /// <see cref="ServeOptions.ModelPath"/>) on the thread pool once the server listens; if loading fails, the server stops.
    /// </summary>
    public static WebApplication Build(ServeOptions options, Func<CancellationToken, Task<NerModel>>? load = null, Action<string>? log = null)
        => Build(options, load, log, signals: true);

    /// <summary><see cref="Build(ServeOptions, Func{CancellationToken, Task{NerModel}}?, Action{string}?)"/>; without <paramref name="signals"/>, the host leaves SIGINT and SIGTERM to the process (a server hosted in a test).</summary>
    internal static WebApplication Build(ServeOptions options, Func<CancellationToken, Task<NerModel>>? load, Action<string>? log, bool signals)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        load ??= _ => Task.Run(() => NerModel.Load(options.ModelPath, verify: !options.NoVerify));
        log ??= _ => { };

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(c => c.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None); // /readyz says 503 while loading: not a failure
        builder.Services.Configure<ConsoleLoggerOptions>(c => c.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = EntitiesEndpoint.MaxBytes(options.MaxChars);
            if (options.Host == "localhost") k.ListenLocalhost(options.Port);
            else k.Listen(IPAddress.Parse(options.Host), options.Port);
        });
        var services = builder.Services;
        if (!signals) services.AddSingleton<IHostLifetime, ProcessLifetime>();
        services.AddSingleton(options);
        services.AddSingleton<ModelState>();
        services.AddSingleton<ServerMetrics>();
        services.AddProblemDetails();
        services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "Nerve";
            doc.Info.Description = "Named entities in raw text, with offsets in UTF-16 code units and probabilities.";
            return Task.CompletedTask;
        }));
        services.AddHealthChecks().AddCheck<ModelHealthCheck>("model", tags: ["ready"]);
        services.AddRateLimiter(r =>
        {
            r.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            r.OnRejected = (ctx, _) => new ValueTask(EntitiesEndpoint.Problem(StatusCodes.Status429TooManyRequests, "Too many requests",
                $"At most {options.MaxConcurrency} requests are tagged at once (--max-concurrency); try again.").ExecuteAsync(ctx.HttpContext));
            r.AddConcurrencyLimiter(EntitiesPolicy, c =>
            {
                c.PermitLimit = options.MaxConcurrency;
                c.QueueLimit = 0;
            });
        });
        services.AddRequestTimeouts(t => t.AddPolicy(EntitiesPolicy, new RequestTimeoutPolicy
        {
            Timeout = options.Timeout,
            TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
            WriteTimeoutResponse = ctx => EntitiesEndpoint.Problem(StatusCodes.Status504GatewayTimeout, "Timed out",
                $"The request took longer than {options.Timeout.TotalSeconds:0.###} s (--timeout).").ExecuteAsync(ctx),
        }));

        var app = builder.Build();
        var metrics = app.Services.GetRequiredService<ServerMetrics>();
        var state = app.Services.GetRequiredService<ModelState>();
        app.Use(async (context, next) =>
        {
            long start = Stopwatch.GetTimestamp();
            try
            {
                await next(context).ConfigureAwait(false);
            }
            finally
            {
                string route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "other";
                metrics.Record(route, context.Request.Method, context.Response.StatusCode, Stopwatch.GetElapsedTime(start));
            }
        });
        app.UseExceptionHandler();
        app.UseRouting();
        app.UseRateLimiter();
        app.UseRequestTimeouts();

        app.MapPost("/v1/entities", (Delegate)EntitiesEndpoint.Handle)
            .WithName("Entities")
            .WithSummary("Tag raw text: entities with offsets (UTF-16 code units, end-exclusive) and probabilities, and tokens unless ?tokens=false.")
            .WithTags("entities")
            .AddOpenApiOperationTransformer(async (op, ctx, cancel) => op.RequestBody = new OpenApiRequestBody
            {
                // Documented here rather than with Accepts<T>, whose content-type matching would answer 415, not 400.
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
                {
                    ["application/json"] = new() { Schema = await ctx.GetOrCreateSchemaAsync(typeof(EntitiesRequest), null, cancel).ConfigureAwait(false) },
                    ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                },
            })
            .Produces<DocumentSchema>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout)
            .RequireRateLimiting(EntitiesPolicy)
            .WithRequestTimeout(EntitiesPolicy);
        app.MapHealthChecks("/livez", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        app.MapGet("/metrics", () => Results.Text(metrics.Format(state.Model is not null), "text/plain; version=0.0.4; charset=utf-8"))
            .WithSummary("Prometheus text: requests by route and status, errors, latency histograms, tokens tagged.");
        app.MapOpenApi();
        app.MapGet("/", () => Results.Content(Page.Html(state.Model), "text/html; charset=utf-8")).ExcludeFromDescription();

        app.Lifetime.ApplicationStarted.Register(() => _ = Task.Run(async () =>
        {
            try
            {
                await state.LoadAsync(load, app.Lifetime.ApplicationStopping).ConfigureAwait(false);
                log("model loaded: ready");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                app.Lifetime.StopApplication();
            }
        }));
        return app;
    }

    /// <summary>The addresses a started server listens on ("http://127.0.0.1:8080").</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return [.. app.Urls];
    }

    /// <summary>Runs until SIGTERM or Ctrl+C (requests in flight finish first), logging the addresses once listening; rethrows a failed model load.</summary>
    public static async Task RunAsync(ServeOptions options, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var app = Build(options, log: log);
        await using (app.ConfigureAwait(false))
        {
            try
            {
                await app.StartAsync().ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new NerveException($"cannot listen on {options.Host}:{options.Port}: {e.Message}");
            }
            foreach (var url in Addresses(app)) log($"listening on {url}");
            await app.WaitForShutdownAsync().ConfigureAwait(false);
            if (app.Services.GetRequiredService<ModelState>().Error is { } error)
                throw error as NerveException ?? new NerveException($"cannot load the model: {error.Message}");
        }
    }
}

/// <summary>A host lifetime that registers no signal handlers: the process's own handling stays as it was.</summary>
internal sealed class ProcessLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Healthy once the model is loaded: what <c>GET /readyz</c> reports (503 while loading).</summary>
internal sealed class ModelHealthCheck(ModelState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.Model is not null ? HealthCheckResult.Healthy("model loaded")
            : state.Error is { } e ? HealthCheckResult.Unhealthy("the model failed to load: " + e.Message)
            : HealthCheckResult.Unhealthy("loading the model"));
}

/// <summary>The JSON body of <c>POST /v1/entities</c> (for the OpenAPI document): one of text or texts.</summary>
/// <param name="Text">One text: the answer is one document.</param>
/// <param name="Texts">Many texts, tagged together: the answer is an array of documents in the same order.</param>
internal sealed record EntitiesRequest(string? Text, IReadOnlyList<string>? Texts);

/// <summary>One document of the answer (for the OpenAPI document; written by <see cref="Tagging.DocumentJson"/>).</summary>
internal sealed record DocumentSchema(string Text, IReadOnlyList<EntitySchema> Entities, IReadOnlyList<TokenSchema>? Tokens);

/// <summary>An entity: text[start..end) in UTF-16 code units, its label and the probability of the whole span.</summary>
internal sealed record EntitySchema(int Start, int End, string Label, string Text, double Score);

/// <summary>A token with its tag and the tag's marginal probability.</summary>
internal sealed record TokenSchema(int Start, int End, string Text, string Tag, double Score);
