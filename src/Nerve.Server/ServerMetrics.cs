using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Nerve.Server;

/// <summary>
/// Counters of the server in Prometheus' text exposition format (version 0.0.4): requests by route, method and status,
/// errors (status ≥ 400), a latency histogram per route, documents and tokens tagged, and requests being tagged now.
/// Lock-free: every count is an <see cref="Interlocked"/> add.
/// </summary>
internal sealed class ServerMetrics
{
    /// <summary>The histogram's upper bounds in seconds (the +Inf bucket is implied).</summary>
    public static readonly double[] Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private sealed class Counter
    {
        public long Value;
    }

    private sealed class Histogram
    {
        public readonly long[] Counts = new long[Buckets.Length + 1];
        public long SumMicroseconds;
    }

    private readonly ConcurrentDictionary<(string Route, string Method, int Status), Counter> _requests = new();
    private readonly ConcurrentDictionary<string, Histogram> _latency = new(StringComparer.Ordinal);
    private long _tokens, _documents, _inFlight;

    /// <summary>Requests to /v1/entities past the rate limiter and not yet answered.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>Tokens tagged since the start.</summary>
    public long Tokens => Interlocked.Read(ref _tokens);

    public void Record(string route, string method, int status, TimeSpan elapsed)
    {
        Interlocked.Increment(ref _requests.GetOrAdd((route, method, status), _ => new Counter()).Value);
        var h = _latency.GetOrAdd(route, _ => new Histogram());
        double s = elapsed.TotalSeconds;
        int b = 0;
        while (b < Buckets.Length && s > Buckets[b]) b++;
        Interlocked.Increment(ref h.Counts[b]);
        Interlocked.Add(ref h.SumMicroseconds, (long)(s * 1e6));
    }

    public void Tagged(int documents, long tokens)
    {
        Interlocked.Add(ref _documents, documents);
        Interlocked.Add(ref _tokens, tokens);
    }

    public void Enter() => Interlocked.Increment(ref _inFlight);

    public void Leave() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Everything in the text format, families in a fixed order, series sorted.</summary>
    public string Format(bool ready)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        var requests = _requests.OrderBy(p => p.Key.Route, StringComparer.Ordinal).ThenBy(p => p.Key.Method, StringComparer.Ordinal).ThenBy(p => p.Key.Status).ToList();
        sb.Append("# HELP nerve_http_requests_total HTTP requests answered, by route, method and status.\n# TYPE nerve_http_requests_total counter\n");
        foreach (var (k, c) in requests)
            sb.Append(inv, $"nerve_http_requests_total{{route=\"{k.Route}\",method=\"{k.Method}\",status=\"{k.Status}\"}} {Interlocked.Read(ref c.Value)}\n");
        sb.Append("# HELP nerve_http_request_errors_total HTTP requests answered with a status of 400 or more, by route and status.\n# TYPE nerve_http_request_errors_total counter\n");
        foreach (var g in requests.Where(p => p.Key.Status >= 400).GroupBy(p => (p.Key.Route, p.Key.Status)))
            sb.Append(inv, $"nerve_http_request_errors_total{{route=\"{g.Key.Route}\",status=\"{g.Key.Status}\"}} {g.Sum(p => Interlocked.Read(ref p.Value.Value))}\n");
        sb.Append("# HELP nerve_http_request_duration_seconds Time from the request's arrival to its answer, by route.\n# TYPE nerve_http_request_duration_seconds histogram\n");
        foreach (var (route, h) in _latency.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            long cumulative = 0;
            for (int b = 0; b <= Buckets.Length; b++)
            {
                cumulative += Interlocked.Read(ref h.Counts[b]);
                string le = b < Buckets.Length ? Buckets[b].ToString("R", inv) : "+Inf";
                sb.Append(inv, $"nerve_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {cumulative}\n");
            }
            sb.Append(inv, $"nerve_http_request_duration_seconds_sum{{route=\"{route}\"}} {Interlocked.Read(ref h.SumMicroseconds) / 1e6:R}\n");
            sb.Append(inv, $"nerve_http_request_duration_seconds_count{{route=\"{route}\"}} {cumulative}\n");
        }
        sb.Append(inv, $"# HELP nerve_documents_tagged_total Documents (texts) tagged.\n# TYPE nerve_documents_tagged_total counter\nnerve_documents_tagged_total {Interlocked.Read(ref _documents)}\n");
        sb.Append(inv, $"# HELP nerve_tokens_tagged_total Tokens tagged.\n# TYPE nerve_tokens_tagged_total counter\nnerve_tokens_tagged_total {Tokens}\n");
        sb.Append(inv, $"# HELP nerve_entities_in_flight Requests to /v1/entities being handled now.\n# TYPE nerve_entities_in_flight gauge\nnerve_entities_in_flight {InFlight}\n");
        sb.Append(inv, $"# HELP nerve_model_ready 1 once the model is loaded.\n# TYPE nerve_model_ready gauge\nnerve_model_ready {(ready ? 1 : 0)}\n");
        return sb.ToString();
    }
}
