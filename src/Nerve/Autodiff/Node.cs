using System.Globalization;
using System.Numerics;

namespace Nerve.Autodiff;

/// <summary>
/// One value of a computation graph (lecture 3, Figure 1): a tensor — scalar, vector or row-major matrix — with its
/// gradient ∂s/∂value of the same shape (the lecture's shape convention), the inputs it was computed from, and the
/// backward step that turns its upstream gradient into the inputs' downstream gradients
/// ("downstream = upstream × local", added with +=, so gradients sum where a value fans out).
/// micrograd's <c>Value</c>, over tensors.
/// </summary>
public sealed class Node<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ArraySegment<T> _data;
    private readonly ArraySegment<T> _grad;
    private readonly Node<T>[] _inputs;
    private readonly Action<Node<T>>? _backward;

    /// <summary>
    /// A node over existing storage. <paramref name="backward"/> receives this node and must add
    /// (local derivative × <see cref="Grad"/>) into the gradients of its inputs that <see cref="RequiresGrad"/>.
    /// </summary>
    public Node(ArraySegment<T> data, ArraySegment<T> grad, int rank, int rows, int cols, string op, Node<T>[] inputs, Action<Node<T>>? backward)
    {
        if (rank is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(rank));
        if (rows * cols != data.Count || (grad.Count != 0 && grad.Count != data.Count))
            throw new ArgumentException($"shape {rows}×{cols} does not fit {data.Count} values and {grad.Count} gradients");
        _data = data;
        _grad = grad;
        Rank = rank;
        Rows = rows;
        Cols = cols;
        Op = op;
        _inputs = inputs;
        _backward = backward;
        RequiresGrad = grad.Count != 0 && (inputs.Length == 0 || inputs.Any(i => i.RequiresGrad));
    }

    /// <summary>A computed node with fresh zeroed storage for its value and its gradient.</summary>
    public Node(int rank, int rows, int cols, string op, Node<T>[] inputs, Action<Node<T>> backward)
        : this(new T[rows * cols], new T[rows * cols], rank, rows, cols, op, inputs, backward) { }

    /// <summary>0 scalar, 1 vector (1 × Cols), 2 matrix (Rows × Cols).</summary>
    public int Rank { get; }
    public int Rows { get; }
    public int Cols { get; }
    public int Length => _data.Count;

    /// <summary>The operation that made this node ("leaf" for inputs and parameters); shown in drawings.</summary>
    public string Op { get; }

    /// <summary>The seed's symbol for this value (x, z, h, s, J, W, b1, …), or null.</summary>
    public string? Name { get; set; }

    public IReadOnlyList<Node<T>> Inputs => _inputs;

    /// <summary>The value, row-major.</summary>
    public Span<T> Data => _data.AsSpan();

    /// <summary>∂s/∂value for the scalar s that <see cref="Backward"/> started from; same shape as <see cref="Data"/>.</summary>
    public Span<T> Grad => _grad.AsSpan();

    /// <summary>
    /// Whether gradients flow into this node. A leaf without gradient storage (a constant, a frozen embedding table)
    /// does not, and neither does a node none of whose inputs do; backward steps skip such inputs.
    /// </summary>
    public bool RequiresGrad { get; set; }

    public bool IsLeaf => _inputs.Length == 0;

    /// <summary>A leaf owning a copy of <paramref name="data"/>, e.g. an input x or a weight in a test.</summary>
    public static Node<T> Leaf(T[] data, int rank, int rows, int cols, string? name = null)
        => new((T[])data.Clone(), new T[data.Length], rank, rows, cols, "leaf", [], null) { Name = name };

    public static Node<T> Scalar(T value, string? name = null) => Leaf([value], 0, 1, 1, name);

    public static Node<T> Vector(T[] data, string? name = null) => Leaf(data, 1, 1, data.Length, name);

    public static Node<T> Matrix(T[] data, int rows, int cols, string? name = null) => Leaf(data, 2, rows, cols, name);

    /// <summary>A leaf through which no gradient flows: every element <paramref name="value"/>.</summary>
    public static Node<T> Constant(T value, int rank, int rows, int cols)
    {
        var data = new T[rows * cols];
        Array.Fill(data, value);
        return new Node<T>(data, ArraySegment<T>.Empty, rank, rows, cols, "const", [], null);
    }

    /// <summary>
    /// A parameter leaf that views a slice of a flat parameter buffer, with its gradient in the same slice of a flat
    /// gradient buffer: the graph then fills exactly the layout of <see cref="Model.Parameters{T}"/>.
    /// </summary>
    public static Node<T> View(T[] values, T[] gradients, int offset, int rank, int rows, int cols, string name)
        => new(new ArraySegment<T>(values, offset, rows * cols), new ArraySegment<T>(gradients, offset, rows * cols), rank, rows, cols, "leaf", [], null) { Name = name };

    /// <summary>The nodes this one depends on, itself last, every node after its inputs (depth-first search).</summary>
    public List<Node<T>> TopologicalOrder()
    {
        var order = new List<Node<T>>();
        var visited = new HashSet<Node<T>>(ReferenceEqualityComparer.Instance);
        Visit(this);
        return order;

        void Visit(Node<T> n)
        {
            if (!visited.Add(n)) return;
            foreach (var i in n._inputs) Visit(i);
            order.Add(n);
        }
    }

    /// <summary>
    /// Backpropagation (lecture 3): the last node starts with ∂s/∂s = 1, then every node, in reverse topological
    /// order, passes its upstream gradient to its inputs. Gradients accumulate: leaves are not zeroed here.
    /// </summary>
    public void Backward()
    {
        if (Rank != 0) throw new InvalidOperationException($"backward starts from a scalar, not a {Describe()}");
        if (_grad.Count == 0) return;
        var order = TopologicalOrder();
        Grad[0] = T.One;
        for (int i = order.Count - 1; i >= 0; i--)
            if (order[i].RequiresGrad) order[i]._backward?.Invoke(order[i]);
    }

    /// <summary>"scalar", "vector 5", "matrix 2×3".</summary>
    public string Describe() => Rank switch
    {
        0 => "scalar",
        1 => string.Create(CultureInfo.InvariantCulture, $"vector {Cols}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"matrix {Rows}×{Cols}"),
    };

    public override string ToString() => $"{Name ?? Op} ({Describe()})";
}
