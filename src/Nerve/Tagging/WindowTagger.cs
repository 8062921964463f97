using System.Numerics.Tensors;
using Nerve.Model;
using Nerve.Numerics;

namespace Nerve.Tagging;

/// <summary>
/// Batched forward + argmax over windows, as <see cref="NerModel.Classify"/> does, optionally with the precomputation
/// trick of Chen &amp; Manning (2014, §3.3): the first layer splits by window slot, z = b1 + Σ_c W_c L[w_c] with
/// W_c = W[:, c·d … (c + 1)·d), so W_c L[w] is cached for the most frequent words and z becomes C vector additions.
/// Exact up to float rounding (only the summation order changes); rarer words are multiplied out as before.
/// Thread-safe: each thread passes its own workspace.
/// </summary>
public sealed class WindowTagger
{
    private readonly WindowModel<float> _net;
    private readonly int[] _rank = [];   // word id → cache row, −1 when not cached
    private readonly float[] _cache = []; // (C, N, H): W_c L[w] per slot c and cached word
    private readonly float[] _wSlot = []; // (C, H, d): W_c contiguous, for the words not cached
    private readonly int _cached;

    /// <param name="precompute">Words to cache (0: the plain forward). Needs one hidden layer and one feature table.</param>
    /// <param name="frequency">Occurrences per word id, to choose the most frequent; null takes ids 0 … precompute − 1.</param>
    public WindowTagger(WindowModel<float> network, int precompute = 0, IReadOnlyList<int>? frequency = null)
    {
        _net = network;
        var config = network.Config;
        if (precompute <= 0) return;
        if (network.Depth != 1 || config.Features.Count != 1)
            throw new NerveException("precomputation needs one hidden layer and one feature table");
        int vocab = config.Features[0].Size, d = config.Features[0].Dim, h = config.Hidden[0], c = config.Window, input = config.InputDim;
        _cached = Math.Min(precompute, vocab);
        _rank = new int[vocab];
        Array.Fill(_rank, -1);
        var words = Enumerable.Range(0, vocab);
        if (frequency is not null) words = words.OrderByDescending(w => frequency[w]).ThenBy(w => w);
        int n = 0;
        foreach (int w in words.Take(_cached)) _rank[w] = n++;

        var values = network.Parameters.Values;
        var table = network.Tables[0].Table;
        var wAll = network.Parameters.Value(network.Parameters[network.Depth == 1 ? "W" : "W1"]);
        _wSlot = new float[c * h * d];
        for (int slot = 0; slot < c; slot++)
            for (int i = 0; i < h; i++)
                wAll.Slice(i * input + slot * d, d).CopyTo(_wSlot.AsSpan((slot * h + i) * d, d));
        _cache = new float[c * _cached * h];
        for (int w = 0; w < vocab; w++)
        {
            int r = _rank[w];
            if (r < 0) continue;
            var lw = values.AsSpan(table.Offset + w * d, d);
            for (int slot = 0; slot < c; slot++)
                Blas<float>.Gemv(_cache.AsSpan((slot * _cached + r) * h, h), _wSlot.AsSpan(slot * h * d, h * d), lw, h, d);
        }
    }

    /// <summary>Words whose first-layer products are cached.</summary>
    public int Cached => _cached;

    public WindowModel<float>.Workspace CreateWorkspace(int maxBatch) => _net.CreateWorkspace(maxBatch);

    /// <summary>Class of each of <paramref name="batch"/> windows ids (B, C, F); probabilities are left in ws.P.</summary>
    public void Classify(WindowModel<float>.Workspace ws, ReadOnlySpan<int> ids, int batch, Span<int> classes)
    {
        if (_cached == 0) _net.Forward(ws, ids, [], batch);
        else ForwardPrecomputed(ws, ids, batch);
        var config = _net.Config;
        int k = config.OutputDim;
        for (int i = 0; i < batch; i++)
        {
            if (config.Output == OutputKind.Sigmoid)
            {
                classes[i] = ws.P[i] > 0.5f ? 1 : 0;
                continue;
            }
            var row = ws.P.AsSpan(i * k, k);
            int best = 0;
            for (int j = 1; j < k; j++) if (row[j] > row[best]) best = j;
            classes[i] = best;
        }
    }

    /// <summary>The forward pass with z = b1 + Σ_c cache[c][w_c] (falling back to W_c L[w_c]), then as <see cref="WindowModel{T}.Forward"/>.</summary>
    private void ForwardPrecomputed(WindowModel<float>.Workspace ws, ReadOnlySpan<int> ids, int batch)
    {
        var config = _net.Config;
        int c = config.Window, h = config.Hidden[0], d = config.Features[0].Dim, k = config.OutputDim;
        var p = _net.Parameters;
        var b1 = p.Value(p["b1"]);
        var values = p.Values;
        var table = _net.Tables[0].Table;
        var z = ws.Z[0].AsSpan(0, batch * h);
        Span<int> rows = stackalloc int[c];
        for (int i = 0; i < batch; i++)
        {
            var zi = z.Slice(i * h, h);
            b1.CopyTo(zi);
            int hits = 0;
            for (int slot = 0; slot < c; slot++)
            {
                int w = ids[i * c + slot];
                int r = _rank[w];
                if (r >= 0)
                    rows[hits++] = (slot * _cached + r) * h;
                else
                    Blas<float>.Gemv(zi, _wSlot.AsSpan(slot * h * d, h * d), values.AsSpan(table.Offset + w * d, d), h, d);
            }
            BlasFloat.AddRows(zi, _cache, rows[..hits], h, SimdWidth.Auto); // z += Σ_c cache[c][w_c]
        }
        var a = ws.A[0].AsSpan(0, batch * h);
        Activation<float>.Forward(a, z, config.Activation);
        var s = ws.S.AsSpan(0, batch * k);
        Linear<float>.Forward(s, a, p.Value(p["U"]), p.Value(p["b2"]), batch, h, k);
        var probs = ws.P.AsSpan(0, batch * k);
        if (config.Output == OutputKind.Softmax) Softmax(probs, s, batch, k);
        else SigmoidCrossEntropy<float>.Forward(probs, s, [], batch);
    }

    /// <summary>
    /// p = softmax(s) row by row, stably as exp(s − max s) / Σ; the exponentials of the whole batch in one vectorized
    /// call instead of K scalar calls per window.
    /// </summary>
    private static void Softmax(Span<float> p, ReadOnlySpan<float> s, int batch, int k)
    {
        for (int i = 0; i < batch; i++)
        {
            var si = s.Slice(i * k, k);
            float max = si[0];
            for (int j = 1; j < k; j++) max = MathF.Max(max, si[j]);
            var pi = p.Slice(i * k, k);
            for (int j = 0; j < k; j++) pi[j] = si[j] - max;
        }
        TensorPrimitives.Exp(p, p);
        for (int i = 0; i < batch; i++)
        {
            var pi = p.Slice(i * k, k);
            float sum = 0;
            for (int j = 0; j < k; j++) sum += pi[j];
            float inv = 1f / sum;
            for (int j = 0; j < k; j++) pi[j] *= inv;
        }
    }
}
