using System.CommandLine;
using Nerve.Diagnostics;
using Nerve.Model;

namespace Nerve.Cli;

/// <summary>`nerve gradcheck`: PA4 §4.1, the hand-derived gradients against central differences.</summary>
internal static class GradcheckCommand
{
    /// <summary>One message per violated constraint, naming its option.</summary>
    private static void AtLeast(string option, int value, int min)
    {
        if (value < min) throw new NerveException($"{option} must be ≥ {min}, found {value}");
    }

    private static void Rate(string option, double value)
    {
        if (value is < 0 or >= 1 || double.IsNaN(value)) throw new NerveException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{option} must be in [0, 1), found {value}"));
    }

    public static Command Create()
    {
        var layers = new Option<int>("--layers") { Description = "Hidden layers.", DefaultValueFactory = _ => 1 };
        var hidden = new Option<int>("--hidden") { Description = "Units per hidden layer (PA4: H = 2).", DefaultValueFactory = _ => 2 };
        var output = new Option<OutputKind>("--output") { Description = "softmax, sigmoid or crf.", DefaultValueFactory = _ => OutputKind.Softmax };
        var activation = new Option<ActivationKind>("--activation") { Description = "tanh, sigmoid, relu or hardtanh.", DefaultValueFactory = _ => ActivationKind.Tanh };
        var l2 = new Option<double>("--l2") { Description = "λ of the L2 term λ/2 Σ‖W‖².", DefaultValueFactory = _ => 0 };
        var windows = new Option<int>("--windows") { Description = "Random windows.", DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch") { Description = "Windows per backward call (0 = all at once, 1 = PA4's per-window path).", DefaultValueFactory = _ => 0 };
        var dim = new Option<int>("--dim") { Description = "Word vector dimension.", DefaultValueFactory = _ => 50 };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 1 };
        var tables = new Option<int>("--tables") { Description = "Extra feature embedding tables per window slot (7 × 3 each), as capitalisation, affix and gazetteer features add.", DefaultValueFactory = _ => 0 };
        var dropIn = new Option<double>("--input-dropout") { Description = "Dropout on x, with masks held fixed.", DefaultValueFactory = _ => 0 };
        var dropHid = new Option<double>("--hidden-dropout") { Description = "Dropout on the hidden outputs, with masks held fixed.", DefaultValueFactory = _ => 0 };
        var charCnn = new Option<bool>("--char-cnn") { Description = "Add a character-level convolution (CharWNN: 12 characters × 4, 3 filters of width 3, words of up to 8 ids) to every slot." };
        var docContext = new Option<int>("--doc-context") { Description = "Add the two non-local document tables (5 rows each) of this size to every slot, as train --doc-context does; 0 for none.", DefaultValueFactory = _ => 0 };
        var engine = new Option<string>("--engine") { Description = "manual (hand-derived), graph (computation graph), or both (also compares the two).", DefaultValueFactory = _ => "manual" };
        engine.AcceptOnlyFromAmong("manual", "graph", "both");
        var cmd = new Command("gradcheck", "Compare the hand-derived gradients with finite differences (ε = 1e-4, double precision); exit 0 only if the norm of the difference is < 1e-7.")
        {
            layers, hidden, output, activation, l2, windows, batch, dim, seed, tables, dropIn, dropHid, charCnn, docContext, engine,
        };
        cmd.SetAction(r => Cli.Guard(() =>
        {
            var o = new GradientCheckOptions
            {
                Layers = r.GetValue(layers),
                Hidden = r.GetValue(hidden),
                Output = r.GetValue(output),
                Activation = r.GetValue(activation),
                L2 = r.GetValue(l2),
                Windows = r.GetValue(windows),
                Batch = r.GetValue(batch),
                Dim = r.GetValue(dim),
                Seed = r.GetValue(seed),
                ExtraTables = r.GetValue(tables),
                InputDropout = r.GetValue(dropIn),
                HiddenDropout = r.GetValue(dropHid),
                CharCnn = r.GetValue(charCnn),
                DocContext = r.GetValue(docContext),
            };
            AtLeast("--layers", o.Layers, 1);
            AtLeast("--hidden", o.Hidden, 1);
            AtLeast("--windows", o.Windows, 1);
            AtLeast("--dim", o.Dim, 1);
            AtLeast("--batch", o.Batch, 0);
            AtLeast("--tables", o.ExtraTables, 0);
            AtLeast("--doc-context", o.DocContext, 0);
            Rate("--input-dropout", o.InputDropout);
            Rate("--hidden-dropout", o.HiddenDropout);
            string which = r.GetValue(engine)!;
            var (model, ids, labels) = GradientCheck.Setup(o);
            var numeric = GradientCheck.NumericalGradient(model, ids, labels, o.L2, o.Epsilon, o);
            double loss = GradientCheck.Loss(model, ids, labels, o.L2, o);
            Console.WriteLine($"gradient check: {o.Windows} windows, C = {o.Window}, d = {o.Dim}, H = {o.Hidden} × {o.Layers}, {Activation<double>.Name(o.Activation)}, {o.Output.ToString().ToLowerInvariant()}, λ = {Cli.F(o.L2, "G")}{(o.CharCnn ? ", char CNN" : "")}{(o.DocContext > 0 ? ", document context" : "")}, ε = {Cli.F(o.Epsilon, "0e0")}, J = {Cli.F(loss, "F6")}");
            bool passed = true;
            double[]? manual = null, graph = null;
            if (which is "manual" or "both")
            {
                manual = GradientCheck.AnalyticGradient(model, ids, labels, o.L2, o);
                passed &= Report("manual (hand-derived)", GradientCheck.Compare(model.Parameters, manual, numeric, o.Tolerance, loss));
            }
            if (which is "graph" or "both")
            {
                graph = GradientCheck.AnalyticGradient(new Nerve.Autodiff.GraphBackprop<double>(model, Math.Max(o.Windows, 1)), ids, labels, o.L2, o);
                passed &= Report("graph (computation graph)", GradientCheck.Compare(model.Parameters, graph, numeric, o.Tolerance, loss));
            }
            if (manual is not null && graph is not null)
            {
                double max = 0;
                for (int i = 0; i < manual.Length; i++) max = Math.Max(max, Math.Abs(manual[i] - graph[i]));
                bool agree = max < 1e-12;
                Console.WriteLine($"max |manual − graph| over all {manual.Length} gradients: {Cli.F(max, "E3")} (< 1e-12): {(agree ? "PASS" : "FAIL")}");
                passed &= agree;
            }
            return passed ? 0 : 1;
        }));
        return cmd;
    }

    private static bool Report(string engine, GradientCheckResult result)
    {
        Console.WriteLine();
        Console.WriteLine(engine + ":");
        Console.WriteLine($"{"block",-8} {"shape",-10} {"max |Δ|",12} {"max rel Δ",12} {"‖Δ‖",12}");
        foreach (var b in result.Blocks)
            Console.WriteLine($"{b.Name,-8} {(b.Rows == 1 ? b.Cols.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{b.Rows}×{b.Cols}"),-10} {Cli.F(b.MaxAbsDiff, "E3"),12} {Cli.F(b.MaxRelDiff, "E3"),12} {Cli.F(b.DiffNorm, "E3"),12}");
        Console.WriteLine($"norm of the difference: {Cli.F(result.DiffNorm, "E3")} (< {Cli.F(result.Tolerance, "0e0")}): {(result.Passed ? "PASS" : "FAIL")}");
        return result.Passed;
    }
}
