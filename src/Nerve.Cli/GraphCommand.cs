using System.CommandLine;
using Nerve.Autodiff;
using Nerve.Features;
using Nerve.Model;

namespace Nerve.Cli;

/// <summary>`nerve graph --dot`: the model's computation graph (lecture 3, Figures 1 and 2) in Graphviz DOT.</summary>
internal static class GraphCommand
{
    public static Command Create()
    {
        var layers = new Option<int>("--layers") { Description = "Hidden layers.", DefaultValueFactory = _ => 1 };
        var output = new Option<OutputKind>("--output") { Description = "softmax or sigmoid.", DefaultValueFactory = _ => OutputKind.Softmax };
        var window = new Option<int>("--window") { Description = "Window size C.", DefaultValueFactory = _ => 5 };
        var dot = new Option<bool>("--dot") { Description = "Print Graphviz DOT (the only format; pipe into `dot -Tsvg`)." };
        var backward = new Option<bool>("--backward") { Description = "Also draw the gradient flow (Figure 2): ∂J/∂· on reverse edges." };
        var cmd = new Command("graph", "Print the window network's computation graph for one window, nodes named after the seed's symbols (x, z, h, s, J, W, b, U, L).")
        {
            layers, output, window, dot, backward,
        };
        cmd.SetAction(r => Cli.Guard(() =>
        {
            if (r.GetValue(layers) < 1) throw new NerveException("--layers must be ≥ 1");
            if (r.GetValue(output) == OutputKind.Crf) throw new NerveException("--output: the graph is drawn for the softmax and sigmoid heads");
            var config = new ModelConfig
            {
                Window = r.GetValue(window),
                Hidden = Enumerable.Repeat(100, r.GetValue(layers)).ToArray(),
                Output = r.GetValue(output),
                Labels = r.GetValue(output) == OutputKind.Sigmoid ? ["O", "PER"] : ["O", "LOC", "MISC", "ORG", "PER"],
                Features = [new FeatureSpec("word", 100, 50)],
            };
            Console.Write(GraphDot.Render(config, r.GetValue(backward)));
            return 0;
        }));
        return cmd;
    }
}
