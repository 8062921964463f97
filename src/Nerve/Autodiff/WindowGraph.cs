using System.Numerics;

namespace Nerve.Autodiff;

/// <summary>
/// The computation graph of the window network for one batch (lecture 3, Figure 1): its output J, the summed
/// cross-entropy, and every node in topological order, the model's values named after the seed's symbols.
/// </summary>
public sealed class WindowGraph<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal WindowGraph(Node<T> j, Node<T> crossEntropy)
    {
        J = j;
        CrossEntropy = crossEntropy;
        Nodes = j.TopologicalOrder();
    }

    /// <summary>J = scale · Σ CE + λ/2 Σ‖W‖², the scalar backward starts from.</summary>
    public Node<T> J { get; }

    /// <summary>Σ_batch CE (the loss the trainer reports).</summary>
    public Node<T> CrossEntropy { get; }

    /// <summary>All nodes, inputs before the nodes computed from them (J last).</summary>
    public IReadOnlyList<Node<T>> Nodes { get; }

    /// <summary>The node named <paramref name="name"/> (x, z1, h, s, J, W, b1, U, L, …).</summary>
    public Node<T> this[string name] => Nodes.FirstOrDefault(n => n.Name == name) ?? throw new KeyNotFoundException($"no node named '{name}'");
}
