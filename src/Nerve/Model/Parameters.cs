using System.Numerics;
using Nerve.Numerics;

namespace Nerve.Model;

/// <summary>What a parameter block is, which decides how it is regularised and updated.</summary>
public enum ParameterKind
{
    /// <summary>A weight matrix (W, U): L2-regularised (PA4 §3.6), updated densely.</summary>
    Weight,
    /// <summary>A bias vector (b1, b2): never regularised, updated densely.</summary>
    Bias,
    /// <summary>A head's transition scores (the CRF's A, a0, an): never regularised, updated densely.</summary>
    Transition,
    /// <summary>An embedding table (L): rows are updated sparsely, only those a window touched.</summary>
    Embedding,
    /// <summary>A small embedding table updated densely (the character table Wchr): never regularised, initialised as the embeddings.</summary>
    DenseTable,
}

/// <summary>A named view into the flat parameter buffer: Rows × Cols values starting at Offset.</summary>
public sealed record ParameterBlock(string Name, ParameterKind Kind, int Offset, int Rows, int Cols)
{
    public int Length => Rows * Cols;
}

/// <summary>
/// Every parameter of a model in one flat buffer, sliced into named blocks; the gradient buffer mirrors it
/// (llm.c style), so zeroing, optimizers, saving and gradient checks are one loop each.
/// </summary>
public sealed class Parameters<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<ParameterBlock> _blocks = [];
    private readonly Dictionary<string, ParameterBlock> _byName = new(StringComparer.Ordinal);

    public Parameters(IEnumerable<(string Name, ParameterKind Kind, int Rows, int Cols)> layout)
    {
        int offset = 0;
        foreach (var (name, kind, rows, cols) in layout)
        {
            var block = new ParameterBlock(name, kind, offset, rows, cols);
            _blocks.Add(block);
            _byName.Add(name, block);
            offset = checked(offset + block.Length);
        }
        Values = new T[offset];
        Gradients = new T[offset];
    }

    /// <summary>All parameter values, block after block.</summary>
    public T[] Values { get; }

    /// <summary>∂J/∂θ, same layout as <see cref="Values"/>.</summary>
    public T[] Gradients { get; }

    public IReadOnlyList<ParameterBlock> Blocks => _blocks;

    public int Count => Values.Length;

    public ParameterBlock this[string name] => _byName.TryGetValue(name, out var b) ? b : throw new KeyNotFoundException($"no parameter block '{name}'");

    public bool Contains(string name) => _byName.ContainsKey(name);

    public Span<T> Value(ParameterBlock b) => Values.AsSpan(b.Offset, b.Length);

    public Span<T> Gradient(ParameterBlock b) => Gradients.AsSpan(b.Offset, b.Length);

    /// <summary>Zeroes the gradients of every dense block (embeddings are zeroed row by row by their owner).</summary>
    public void ZeroDenseGradients()
    {
        foreach (var b in _blocks)
            if (b.Kind != ParameterKind.Embedding)
                Gradient(b).Clear();
    }

    /// <summary>
    /// dst += src for every dense block and for the rows of the embedding tables listed in <paramref name="srcRows"/>
    /// (recorded in <paramref name="dstRows"/>); what was moved is zeroed in src and srcRows cleared. Both buffers have
    /// this layout: how a worker's or an engine's gradient is handed over.
    /// </summary>
    public void MoveGradients(Span<T> src, RowSet[] srcRows, Span<T> dst, RowSet[] dstRows, ReadOnlySpan<EmbeddingSlot> tables)
    {
        for (int i = 0; i < _blocks.Count; i++)
        {
            var b = _blocks[i];
            if (b.Kind == ParameterKind.Embedding) continue;
            var from = src.Slice(b.Offset, b.Length);
            var to = dst.Slice(b.Offset, b.Length);
            System.Numerics.Tensors.TensorPrimitives.Add(to, from, to);
            from.Clear();
        }
        for (int k = 0; k < tables.Length; k++)
        {
            var t = tables[k].Table;
            var rows = srcRows[k].Rows;
            for (int r = 0; r < rows.Length; r++)
            {
                int row = rows[r];
                if (r + Prefetch.Ahead < rows.Length) // embedding rows are scattered over a large table: ask for a later one now
                {
                    int next = t.Offset + rows[r + Prefetch.Ahead] * t.Cols;
                    Prefetch.Row<T>(src, next, t.Cols);
                    Prefetch.Row<T>(dst, next, t.Cols);
                }
                var from = src.Slice(t.Offset + row * t.Cols, t.Cols);
                var to = dst.Slice(t.Offset + row * t.Cols, t.Cols);
                System.Numerics.Tensors.TensorPrimitives.Add(to, from, to);
                from.Clear();
                dstRows[k].Add(row);
            }
            srcRows[k].Clear();
        }
    }

    /// <summary>A new set with the same layout and, converted to U, the same values (gradients zero).</summary>
    public Parameters<TOther> Convert<TOther>() where TOther : unmanaged, IFloatingPointIeee754<TOther>
    {
        var other = new Parameters<TOther>(_blocks.Select(b => (b.Name, b.Kind, b.Rows, b.Cols)));
        for (int i = 0; i < Values.Length; i++)
            other.Values[i] = TOther.CreateTruncating(Values[i]);
        return other;
    }
}
