using Nerve.Model;

namespace Nerve.Server;

/// <summary>The model being served: loaded in the background once Kestrel listens, so /livez answers at once and /readyz says 503 until then.</summary>
internal sealed class ModelState
{
    private volatile NerModel? _model;
    private volatile Exception? _error;

    /// <summary>The loaded model, or null while it loads (or if loading failed).</summary>
    public NerModel? Model => _model;

    /// <summary>Why loading failed, or null.</summary>
    public Exception? Error => _error;

    /// <summary>Runs <paramref name="load"/> and records its model or its error.</summary>
    public async Task LoadAsync(Func<CancellationToken, Task<NerModel>> load, CancellationToken cancel)
    {
        try
        {
            _model = await load(cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _error = e;
            throw;
        }
    }
}
