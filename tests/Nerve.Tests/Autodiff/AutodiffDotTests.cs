using System.Text;
using System.Text.RegularExpressions;
using Nerve.Autodiff;
using Nerve.Features;
using Nerve.Model;

namespace Nerve.Tests.Autodiff;

/// <summary>The DOT drawing of the window network (lecture 3, Figures 1 and 2) is well formed and complete.</summary>
public sealed partial class AutodiffDotTests
{
    private static readonly ModelConfig Pa4 = new()
    {
        Window = 5,
        Hidden = [100],
        Labels = ["O", "PER", "LOC", "ORG", "MISC"],
        Features = [new FeatureSpec("word", 73000, 50)],
    };

    private static readonly ModelConfig Deep = new()
    {
        Window = 3,
        Hidden = [8, 6, 4],
        Activation = ActivationKind.HardTanh,
        Output = OutputKind.Sigmoid,
        Labels = ["O", "PER"],
        Features = [new FeatureSpec("word", 500, 5), new FeatureSpec("ca\"se\\", 4, 2)], // a name that needs escaping
    };

    /// <summary>The statements of a DOT graph, split outside quoted strings, with every quoted string decoded.</summary>
    private sealed record Parsed(string Header, List<(string Id, Dictionary<string, string> Attrs)> Nodes, List<(string From, string To, Dictionary<string, string> Attrs)> Edges);

    [GeneratedRegex("""^(\w+)\s*(?:->\s*(\w+)\s*)?(?:\[(.*)\])?$""", RegexOptions.Singleline)]
    private static partial Regex Statement();

    [GeneratedRegex("""^\w+=\w+$""")]
    private static partial Regex GraphAttribute();

    [GeneratedRegex("""(\w+)=("(?:[^"\\]|\\.)*"|[^,\s]+)""")]
    private static partial Regex Attribute();

    private static Parsed Parse(string dot)
    {
        int open = dot.IndexOf('{', StringComparison.Ordinal);
        Assert.True(open > 0, "no body");
        string header = dot[..open].Trim();
        var statements = new List<string>();
        var current = new StringBuilder();
        int depth = 0;
        bool quoted = false;
        for (int i = open; i < dot.Length; i++)
        {
            char ch = dot[i];
            if (quoted)
            {
                current.Append(ch);
                if (ch == '\\') current.Append(dot[++i]); // an escape: \" \\ \n
                else if (ch == '"') quoted = false;
                continue;
            }
            if (ch == '"') { quoted = true; current.Append(ch); }
            else if (ch == '{') depth++;
            else if (ch == '}') { depth--; Assert.True(depth >= 0, "unbalanced '}'"); if (depth == 0) Assert.True(dot[(i + 1)..].Trim().Length == 0, "text after the graph"); }
            else if (ch == ';') { statements.Add(current.ToString().Trim()); current.Clear(); }
            else current.Append(ch);
        }
        Assert.False(quoted, "unterminated string");
        Assert.Equal(0, depth);
        Assert.True(current.ToString().Trim().Length == 0, "statement without ';'");

        var nodes = new List<(string, Dictionary<string, string>)>();
        var edges = new List<(string, string, Dictionary<string, string>)>();
        foreach (string s in statements)
        {
            if (GraphAttribute().IsMatch(s)) continue; // rankdir=LR
            var m = Statement().Match(s);
            Assert.True(m.Success, $"not a DOT statement: {s}");
            var attrs = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match a in Attribute().Matches(m.Groups[3].Value))
                attrs[a.Groups[1].Value] = Decode(a.Groups[2].Value);
            if (m.Groups[2].Success) edges.Add((m.Groups[1].Value, m.Groups[2].Value, attrs));
            else if (m.Groups[1].Value is not ("node" or "edge" or "graph") && m.Groups[3].Success) nodes.Add((m.Groups[1].Value, attrs));
        }
        return new Parsed(header, nodes, edges);
    }

    private static string Decode(string value)
    {
        if (!value.StartsWith('"')) return value;
        var sb = new StringBuilder();
        for (int i = 1; i < value.Length - 1; i++)
        {
            if (value[i] == '"') Assert.Fail($"unescaped quote in {value}");
            if (value[i] != '\\') { sb.Append(value[i]); continue; }
            char e = value[++i];
            sb.Append(e == 'n' ? '\n' : e);
        }
        return sb.ToString();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_drawing_is_well_formed_and_names_every_parameter_block(bool backward)
    {
        foreach (var config in new[] { Pa4, Deep })
        {
            var dot = Parse(GraphDot.Render(config, backward));
            Assert.StartsWith("digraph", dot.Header, StringComparison.Ordinal);
            var declared = dot.Nodes.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
            Assert.Equal(dot.Nodes.Count, declared.Count);
            foreach (var (from, to, _) in dot.Edges)
                Assert.True(declared.Contains(from) && declared.Contains(to), $"edge {from} -> {to} to an undeclared node");
            var labels = dot.Nodes.Select(n => n.Attrs["label"]).ToList();
            foreach (var (name, _, rows, cols) in WindowModel<double>.Layout(config))
                Assert.Contains($"{name}\n{rows}×{cols}", labels);
            Assert.Contains(labels, l => l.StartsWith("J\n", StringComparison.Ordinal));
            bool hasGradients = dot.Edges.Any(e => e.Attrs.TryGetValue("label", out var l) && l.StartsWith('∂'));
            Assert.Equal(backward, hasGradients);
        }
    }

    [Fact]
    public void The_backward_drawing_carries_the_lectures_gradients()
    {
        var dot = Parse(GraphDot.Render(Pa4, backward: true));
        string Id(string label) => dot.Nodes.Single(n => n.Attrs["label"].Split('\n')[0] == label).Id;
        string? Along(string from, string to) => dot.Edges.Where(e => e.From == Id(from) && e.To == Id(to)).Select(e => e.Attrs.GetValueOrDefault("label")).SingleOrDefault(l => l is not null);
        Assert.Equal("δ = ∂J/∂z", Along("h", "z"));  // the local error signal
        Assert.Equal("∂J/∂W", Along("Wx", "W"));
        Assert.Equal("∂J/∂b1", Along("z", "b1"));
        Assert.Equal("∂J/∂U", Along("Uh", "U"));
        Assert.Equal("∂J/∂L", Along("L[w]", "L"));
        Assert.Equal("∂J/∂x", Along("Wx", "x"));
        Assert.Contains(dot.Edges, e => e.From == Id("∂J/∂J = 1") && e.To == Id("J"));

        var deep = Parse(GraphDot.Render(Deep, backward: true));
        var labels = deep.Edges.Select(e => e.Attrs.GetValueOrDefault("label")).ToHashSet();
        foreach (string g in new[] { "δ1 = ∂J/∂z1", "δ2 = ∂J/∂z2", "δ3 = ∂J/∂z3", "∂J/∂W1", "∂J/∂b4", "∂J/∂L_ca\"se\\" })
            Assert.Contains(g, labels);
    }
}
