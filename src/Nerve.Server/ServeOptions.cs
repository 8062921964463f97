namespace Nerve.Server;

/// <summary>The options of <c>nerve serve</c> (<see cref="NerveServer"/>).</summary>
public sealed record ServeOptions
{
    /// <summary>The model file written by <c>nerve train</c>.</summary>
    public required string ModelPath { get; init; }

    /// <summary>The address to bind: loopback unless asked otherwise ("0.0.0.0" or "::" for every interface).</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The TCP port; 0 picks a free one (<see cref="NerveServer.Addresses"/> tells which).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>The most characters one request may carry, over all its texts (413 beyond).</summary>
    public int MaxChars { get; init; } = 1_000_000;

    /// <summary>Requests to /v1/entities handled at once; one more is refused with 429 (no queue).</summary>
    public int MaxConcurrency { get; init; } = 64;

    /// <summary>How long a request to /v1/entities may take before it is answered 504 (checked between documents).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>--timeout</c> in seconds as a <see cref="TimeSpan"/>; a value that is not > 0 or overflows is refused as <see cref="Validate"/> refuses it.</summary>
    public static TimeSpan TimeoutFromSeconds(double seconds)
        => seconds > 0 && seconds <= TimeSpan.MaxValue.TotalSeconds ? TimeSpan.FromSeconds(seconds)
            : throw new NerveException($"--timeout must be > 0 seconds, found {seconds}");

    /// <summary>Load the model without checking its SHA-256.</summary>
    public bool NoVerify { get; init; }

    /// <summary>Refuses options that cannot work, in one line.</summary>
    public void Validate()
    {
        if (Port is < 0 or > 65535) throw new NerveException($"--port must be in [0, 65535], found {Port}");
        if (MaxChars < 1) throw new NerveException($"--max-chars must be ≥ 1, found {MaxChars}");
        if (MaxConcurrency < 1) throw new NerveException($"--max-concurrency must be ≥ 1, found {MaxConcurrency}");
        if (Timeout <= TimeSpan.Zero) throw new NerveException($"--timeout must be > 0 seconds, found {Timeout.TotalSeconds}");
        if (Host != "localhost" && !System.Net.IPAddress.TryParse(Host, out _))
            throw new NerveException($"--host must be an IP address or localhost, found '{Host}'");
    }
}
