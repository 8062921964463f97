using System.Numerics;
using System.Numerics.Tensors;
using Nerve.Model;
using Nerve.Numerics;

namespace Nerve.Autodiff;

/// <summary>
/// The operations of the graph. Each computes its value forward and attaches the backward step of lecture 3's
/// "single node": downstream gradient += upstream gradient × local derivative. Composite operations (subtract, ReLU,
/// hard-tanh, dot, ‖·‖²) are built from primitive ones and need no backward code of their own, as in micrograd.
/// </summary>
public static partial class Ops
{
    /// <summary>
    /// a + b, same shapes, or a matrix plus a vector added to every row (the bias of a batch: z = Wx + b).
    /// "+ distributes": both inputs receive the upstream gradient; the broadcast vector receives its sum over rows.
    /// </summary>
    public static Node<T> Add<T>(Node<T> a, Node<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool broadcast = a.Rank == 2 && b.Rank == 1 && b.Cols == a.Cols;
        if (!broadcast) SameShape(a, b, "+");
        int cols = a.Cols;
        var y = new Node<T>(a.Rank, a.Rows, a.Cols, "+", [a, b], n =>
        {
            if (a.RequiresGrad) TensorPrimitives.Add(a.Grad, n.Grad, a.Grad);
            if (!b.RequiresGrad) return;
            if (!broadcast)
                TensorPrimitives.Add(b.Grad, n.Grad, b.Grad);
            else
                for (int r = 0; r < a.Rows; r++)
                    TensorPrimitives.Add(b.Grad, n.Grad.Slice(r * cols, cols), b.Grad);
        });
        if (!broadcast)
            TensorPrimitives.Add(a.Data, b.Data, y.Data);
        else
            for (int r = 0; r < a.Rows; r++)
                TensorPrimitives.Add(a.Data.Slice(r * cols, cols), b.Data, y.Data.Slice(r * cols, cols));
        return y;
    }

    /// <summary>c · a for a constant c: ∂(c·a)/∂a = c I.</summary>
    public static Node<T> Scale<T>(Node<T> a, T c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Node<T>(a.Rank, a.Rows, a.Cols, "×" + c.ToString(null, System.Globalization.CultureInfo.InvariantCulture), [a], n =>
        {
            if (a.RequiresGrad) TensorPrimitives.MultiplyAdd(n.Grad, c, a.Grad, a.Grad);
        });
        TensorPrimitives.Multiply(a.Data, c, y.Data);
        return y;
    }

    /// <summary>−a = (−1)·a.</summary>
    public static Node<T> Negate<T>(Node<T> a) where T : unmanaged, IFloatingPointIeee754<T> => Scale(a, -T.One);

    /// <summary>a − b = a + (−1)·b.</summary>
    public static Node<T> Subtract<T>(Node<T> a, Node<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Add(a, Negate(b));

    /// <summary>a ⊙ b elementwise. "× switches": a receives upstream ⊙ b, b receives upstream ⊙ a.</summary>
    public static Node<T> Multiply<T>(Node<T> a, Node<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameShape(a, b, "⊙");
        var y = new Node<T>(a.Rank, a.Rows, a.Cols, "⊙", [a, b], n =>
        {
            if (a.RequiresGrad) TensorPrimitives.MultiplyAdd(b.Data, n.Grad, a.Grad, a.Grad);
            if (b.RequiresGrad) TensorPrimitives.MultiplyAdd(a.Data, n.Grad, b.Grad, b.Grad);
        });
        TensorPrimitives.Multiply(a.Data, b.Data, y.Data);
        return y;
    }

    /// <summary>
    /// A · B for A (m, k) and B (k, n), or A · x for a vector x (k): the lecture's Wx.
    /// Backward (shape convention): ∂/∂A += G Bᵀ (for a vector: g xᵀ), ∂/∂B += Aᵀ G (for a vector: Aᵀ g).
    /// </summary>
    public static Node<T> MatMul<T>(Node<T> a, Node<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Rank != 2 || b.Rank == 0 || (b.Rank == 1 ? b.Cols : b.Rows) != a.Cols)
            throw new ArgumentException($"cannot multiply a {a.Describe()} by a {b.Describe()}");
        int m = a.Rows, k = a.Cols;
        if (b.Rank == 1)
        {
            var v = new Node<T>(1, 1, m, "·", [a, b], n =>
            {
                if (a.RequiresGrad) Blas<T>.Ger(a.Grad, T.One, n.Grad, b.Data, m, k);
                if (b.RequiresGrad) Blas<T>.GemvT(b.Grad, a.Data, n.Grad, m, k);
            });
            Blas<T>.Gemv(v.Data, a.Data, b.Data, m, k);
            return v;
        }
        int cols = b.Cols;
        var y = new Node<T>(2, m, cols, "·", [a, b], n =>
        {
            if (a.RequiresGrad) Blas<T>.GemmNT(a.Grad, n.Grad, b.Data, m, k, cols);
            if (b.RequiresGrad) Blas<T>.GemmTN(b.Grad, a.Data, n.Grad, k, cols, m);
        });
        Blas<T>.GemmNN(y.Data, a.Data, b.Data, m, cols, k);
        return y;
    }

    /// <summary>
    /// A · Bᵀ for A (m, k) and B (n, k): a batch of rows x times Wᵀ, i.e. Wx for every window (W stored (out, in) as in PA4).
    /// Backward: ∂/∂A += G B (seed eq. 1b: Wᵀδ per row), ∂/∂B += Gᵀ A (eq. 1d: δ xᵀ summed over the batch).
    /// </summary>
    public static Node<T> MatMulTransposed<T>(Node<T> a, Node<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Rank != 2 || b.Rank != 2 || a.Cols != b.Cols)
            throw new ArgumentException($"cannot multiply a {a.Describe()} by the transpose of a {b.Describe()}");
        int m = a.Rows, k = a.Cols, cols = b.Rows;
        var y = new Node<T>(2, m, cols, "·ᵀ", [a, b], n =>
        {
            if (a.RequiresGrad) Blas<T>.GemmNN(a.Grad, n.Grad, b.Data, m, k, cols);
            if (b.RequiresGrad) Blas<T>.GemmTN(b.Grad, n.Grad, a.Data, cols, k, m);
        });
        Blas<T>.GemmNT(y.Data, a.Data, b.Data, m, cols, k);
        return y;
    }

    /// <summary>max(a, b) elementwise. "max routes": each upstream element goes to the larger input (to b on ties).</summary>
    public static Node<T> Max<T>(Node<T> a, Node<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameShape(a, b, "max");
        var y = new Node<T>(a.Rank, a.Rows, a.Cols, "max", [a, b], n =>
        {
            ReadOnlySpan<T> x = a.Data, w = b.Data, g = n.Grad;
            Span<T> ga = a.Grad, gb = b.Grad;
            for (int i = 0; i < g.Length; i++)
            {
                if (x[i] > w[i]) { if (a.RequiresGrad) ga[i] += g[i]; }
                else if (b.RequiresGrad) gb[i] += g[i];
            }
        });
        ReadOnlySpan<T> x = a.Data, w = b.Data;
        var d = y.Data;
        for (int i = 0; i < d.Length; i++) d[i] = x[i] > w[i] ? x[i] : w[i];
        return y;
    }

    /// <summary>max over all elements, a scalar; the gradient is routed to the (first) argmax alone.</summary>
    public static Node<T> MaxOver<T>(Node<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int arg = 0;
        ReadOnlySpan<T> x = a.Data;
        for (int i = 1; i < x.Length; i++) if (x[i] > x[arg]) arg = i;
        var y = new Node<T>(0, 1, 1, "max", [a], n =>
        {
            if (a.RequiresGrad) a.Grad[arg] += n.Grad[0];
        });
        y.Data[0] = x[arg];
        return y;
    }

    /// <summary>
    /// Column-wise max over consecutive runs of rows: for a (N, F) and run lengths n_s summing to N, y (S, F) with
    /// y[s, f] = max of column f over run s's rows. "max routes": each upstream element goes to the first row of its
    /// run that attains the max (ties go to the earliest). CharWNN's max over a word's character windows.
    /// </summary>
    public static Node<T> MaxOverRuns<T>(Node<T> a, int[] runs) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Rank != 2 || runs.Sum() != a.Rows || runs.Any(n => n < 1))
            throw new ArgumentException($"runs of ≥ 1 rows summing to the rows of a {a.Describe()}", nameof(runs));
        int cols = a.Cols;
        var arg = new int[runs.Length * cols]; // the row of a that won each output element
        ReadOnlySpan<T> x = a.Data;
        for (int s = 0, first = 0; s < runs.Length; first += runs[s], s++)
            for (int f = 0; f < cols; f++)
            {
                int best = first;
                for (int r = first + 1; r < first + runs[s]; r++)
                    if (x[r * cols + f] > x[best * cols + f]) best = r;
                arg[s * cols + f] = best;
            }
        var y = new Node<T>(2, runs.Length, cols, "max_m", [a], n =>
        {
            if (!a.RequiresGrad) return;
            var g = a.Grad;
            for (int i = 0; i < arg.Length; i++) g[arg[i] * cols + i % cols] += n.Grad[i];
        });
        for (int i = 0; i < arg.Length; i++) y.Data[i] = x[arg[i] * cols + i % cols];
        return y;
    }

    /// <summary>Element i of a (row-major), a scalar: ∂a_i/∂a is the one-hot eᵢ. Used to take Jacobians row by row.</summary>
    public static Node<T> Element<T>(Node<T> a, int i) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(i);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(i, a.Length);
        var y = new Node<T>(0, 1, 1, "[i]", [a], n =>
        {
            if (a.RequiresGrad) a.Grad[i] += n.Grad[0];
        });
        y.Data[0] = a.Data[i];
        return y;
    }

    /// <summary>Σ of all elements, a scalar: every element receives the upstream gradient.</summary>
    public static Node<T> Sum<T>(Node<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Node<T>(0, 1, 1, "Σ", [a], n =>
        {
            if (a.RequiresGrad) TensorPrimitives.Add(a.Grad, n.Grad[0], a.Grad);
        });
        y.Data[0] = TensorPrimitives.Sum<T>(a.Data);
        return y;
    }

    /// <summary>uᵀh = Σ u ⊙ h.</summary>
    public static Node<T> Dot<T>(Node<T> a, Node<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Sum(Multiply(a, b));

    /// <summary>‖a‖² = Σ a ⊙ a; a fans out twice into ⊙, so its gradient sums to 2a.</summary>
    public static Node<T> SquaredNorm<T>(Node<T> a) where T : unmanaged, IFloatingPointIeee754<T> => Sum(Multiply(a, a));

    /// <summary>tanh elementwise; tanh′(z) = 1 − tanh²(z), read from the output.</summary>
    public static Node<T> Tanh<T>(Node<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Node<T>(a.Rank, a.Rows, a.Cols, "tanh", [a], n =>
        {
            if (!a.RequiresGrad) return;
            ReadOnlySpan<T> h = n.Data, g = n.Grad;
            var gz = a.Grad;
            for (int i = 0; i < g.Length; i++) gz[i] += g[i] * (T.One - h[i] * h[i]);
        });
        TensorPrimitives.Tanh(a.Data, y.Data);
        return y;
    }

    /// <summary>σ elementwise; σ′(z) = σ(z)(1 − σ(z)), read from the output.</summary>
    public static Node<T> Sigmoid<T>(Node<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Node<T>(a.Rank, a.Rows, a.Cols, "σ", [a], n =>
        {
            if (!a.RequiresGrad) return;
            ReadOnlySpan<T> h = n.Data, g = n.Grad;
            var gz = a.Grad;
            for (int i = 0; i < g.Length; i++) gz[i] += g[i] * h[i] * (T.One - h[i]);
        });
        TensorPrimitives.Sigmoid(a.Data, y.Data);
        return y;
    }

    /// <summary>ReLU(z) = max(z, 0): max routes the gradient to z where z &gt; 0.</summary>
    public static Node<T> Relu<T>(Node<T> a) where T : unmanaged, IFloatingPointIeee754<T>
        => Max(a, Node<T>.Constant(T.Zero, a.Rank, a.Rows, a.Cols));

    /// <summary>hardtanh(z) = max(min(z, 1), −1) with min(z, 1) = −max(−z, −1): the gradient passes where −1 &lt; z &lt; 1.</summary>
    public static Node<T> HardTanh<T>(Node<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var minusOne = Node<T>.Constant(-T.One, a.Rank, a.Rows, a.Cols);
        return Max(Negate(Max(Negate(a), minusOne)), minusOne);
    }

    /// <summary>The hidden nonlinearity h = f(z) of the model.</summary>
    public static Node<T> Activation<T>(Node<T> z, ActivationKind kind) where T : unmanaged, IFloatingPointIeee754<T> => kind switch
    {
        ActivationKind.Tanh => Tanh(z),
        ActivationKind.Sigmoid => Sigmoid(z),
        ActivationKind.Relu => Relu(z),
        ActivationKind.HardTanh => HardTanh(z),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// a ⊕ b ⊕ …: vectors end to end (the seed's x = x_{t−m} ⊕ ⋯ ⊕ x_{t+m}), or matrices with equal row counts side
    /// by side, row by row. Each part receives its slice of the upstream gradient.
    /// </summary>
    public static Node<T> Concat<T>(params Node<T>[] parts) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (parts.Length == 0) throw new ArgumentException("nothing to concatenate", nameof(parts));
        int rank = parts[0].Rank, rows = parts[0].Rows;
        if (rank == 0 || parts.Any(p => p.Rank != rank || p.Rows != rows))
            throw new ArgumentException("concatenation needs vectors, or matrices with the same number of rows", nameof(parts));
        int cols = parts.Sum(p => p.Cols);
        var y = new Node<T>(rank, rows, cols, "⊕", parts, n =>
        {
            int offset = 0;
            foreach (var p in parts)
            {
                if (p.RequiresGrad)
                    for (int r = 0; r < rows; r++)
                    {
                        var g = p.Grad.Slice(r * p.Cols, p.Cols);
                        TensorPrimitives.Add(g, n.Grad.Slice(r * cols + offset, p.Cols), g);
                    }
                offset += p.Cols;
            }
        });
        int at = 0;
        foreach (var p in parts)
        {
            for (int r = 0; r < rows; r++)
                p.Data.Slice(r * p.Cols, p.Cols).CopyTo(y.Data.Slice(r * cols + at, p.Cols));
            at += p.Cols;
        }
        return y;
    }

    /// <summary>The same values in another shape (row-major order kept); the gradient flows back unchanged.</summary>
    public static Node<T> Reshape<T>(Node<T> a, int rank, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (rows * cols != a.Length) throw new ArgumentException($"cannot reshape a {a.Describe()} to {rows}×{cols}");
        var y = new Node<T>(rank, rows, cols, "reshape", [a], n =>
        {
            if (a.RequiresGrad) TensorPrimitives.Add(a.Grad, n.Grad, a.Grad);
        });
        a.Data.CopyTo(y.Data);
        return y;
    }

    /// <summary>
    /// Rows <paramref name="rows"/> of a table (V, d), an (n, d) matrix: the embedding lookup L[w]. Backward adds each
    /// row of the upstream gradient into the table row it came from (PA4 eq. 3e) and touches no other row, so a large
    /// table is written sparsely; the rows written are recorded in <paramref name="written"/> when given.
    /// </summary>
    public static Node<T> Gather<T>(Node<T> table, int[] rows, RowSet? written = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (table.Rank != 2) throw new ArgumentException($"a lookup needs a table (matrix), not a {table.Describe()}", nameof(table));
        int d = table.Cols;
        foreach (int r in rows)
            if ((uint)r >= (uint)table.Rows) throw new ArgumentOutOfRangeException(nameof(rows), r, $"row outside the table's {table.Rows} rows");
        var y = new Node<T>(2, rows.Length, d, "lookup", [table], n =>
        {
            if (!table.RequiresGrad) return;
            for (int i = 0; i < rows.Length; i++)
            {
                var g = table.Grad.Slice(rows[i] * d, d);
                TensorPrimitives.Add(g, n.Grad.Slice(i * d, d), g);
                written?.Add(rows[i]);
            }
        });
        for (int i = 0; i < rows.Length; i++)
            table.Data.Slice(rows[i] * d, d).CopyTo(y.Data.Slice(i * d, d));
        return y;
    }

    private static void SameShape<T>(Node<T> a, Node<T> b, string op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Rank != b.Rank || a.Rows != b.Rows || a.Cols != b.Cols)
            throw new ArgumentException($"'{op}' needs equal shapes, found a {a.Describe()} and a {b.Describe()}");
    }
}
