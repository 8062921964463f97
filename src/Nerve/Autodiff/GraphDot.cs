using System.Globalization;
using System.Text;
using Nerve.Model;

namespace Nerve.Autodiff;

/// <summary>
/// Graphviz DOT of the window network's computation graph for one window: lecture 3's Figure 1 (forward: inputs and
/// parameters at the sources, operations inside, J at the end) and, with backward, Figure 2 (the gradients passed
/// back along every edge, starting from ∂J/∂J = 1; δ = ∂J/∂z is the local error signal).
/// </summary>
public static class GraphDot
{
    public static string Render(ModelConfig config, bool backward)
    {
        config.Validate();
        // The structure does not depend on the vocabulary: build it over one-row tables, label the real shapes.
        var small = config with { Features = config.Features.Select(f => f with { Size = 1 }).ToArray() };
        var model = new WindowModel<double>(small);
        int f = small.Features.Count;
        var graph = new GraphBackprop<double>(model, 1).Build(new int[small.Window * small.IdsPerToken], [0], 1, 1.0, 0.0, Enumerable.Repeat(true, f).ToArray());
        var shapes = WindowModel<double>.Layout(config).ToDictionary(b => b.Item1, b => (b.Item3, b.Item4), StringComparer.Ordinal);

        var ids = new Dictionary<Node<double>, string>(ReferenceEqualityComparer.Instance);
        foreach (var n in graph.Nodes) ids[n] = "n" + ids.Count.ToString(CultureInfo.InvariantCulture);

        var dot = new StringBuilder();
        dot.Append("digraph ").Append(Quote(backward ? "window network: backpropagation" : "window network")).Append(" {\n");
        dot.Append("  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\"];\n");
        dot.Append("  w [shape=plaintext, label=").Append(Quote("window ids w")).Append("];\n");
        dot.Append("  y [shape=plaintext, label=").Append(Quote("label y")).Append("];\n");
        foreach (var n in graph.Nodes)
        {
            string label, style;
            if (n.IsLeaf && n.Name is not null && shapes.TryGetValue(n.Name, out var shape))
            {
                label = $"{n.Name}\n{shape.Item1}×{shape.Item2}";
                style = "shape=box, style=filled, fillcolor=\"#dbe8f7\"";
            }
            else if (n.IsLeaf)
            {
                label = n.Data[0].ToString(CultureInfo.InvariantCulture);
                style = "shape=plaintext";
            }
            else
            {
                label = n.Name is null ? n.Op : $"{n.Name}\n{n.Op}";
                style = ReferenceEquals(n, graph.J) ? "shape=doublecircle" : "shape=ellipse";
            }
            dot.Append("  ").Append(ids[n]).Append(" [").Append(style).Append(", label=").Append(Quote(label)).Append("];\n");
        }
        foreach (var n in graph.Nodes)
        {
            if (n.Op == "lookup") dot.Append("  w -> ").Append(ids[n]).Append(";\n");
            if (ReferenceEquals(n, graph.CrossEntropy)) dot.Append("  y -> ").Append(ids[n]).Append(";\n");
            foreach (var i in n.Inputs)
                dot.Append("  ").Append(ids[i]).Append(" -> ").Append(ids[n]).Append(";\n");
        }
        if (backward)
        {
            // Figure 2: each node hands downstream gradients to its inputs; the last node starts with ∂J/∂J = 1.
            dot.Append("  edge [color=\"#c0392b\", fontcolor=\"#c0392b\", style=dashed];\n");
            dot.Append("  seed [shape=plaintext, fontcolor=\"#c0392b\", label=").Append(Quote("∂J/∂J = 1")).Append("];\n");
            dot.Append("  seed -> ").Append(ids[graph.J]).Append(";\n");
            foreach (var n in graph.Nodes)
                foreach (var i in n.Inputs)
                    if (i.RequiresGrad)
                        dot.Append("  ").Append(ids[n]).Append(" -> ").Append(ids[i]).Append(" [label=").Append(Quote(Gradient(i))).Append("];\n");
        }
        dot.Append("}\n");
        return dot.ToString();
    }

    /// <summary>The gradient an edge carries back: ∂J/∂name, with δ for ∂J/∂z (seed eq. 1a–1b); ∂J/∂(op) for unnamed values.</summary>
    private static string Gradient(Node<double> n)
    {
        if (n.Name is null) return $"∂J/∂({n.Op})";
        if (n.Name.StartsWith('z') && !n.IsLeaf) return $"δ{n.Name[1..]} = ∂J/∂{n.Name}";
        return "∂J/∂" + n.Name;
    }

    /// <summary>A DOT string literal: backslashes and quotes escaped, newlines as \n.</summary>
    private static string Quote(string s)
        => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}
