using Nerve.Autodiff;
using Nerve.Diagnostics;
using Nerve.Features;
using Nerve.Model;

namespace Nerve.Tests.Model;

public class CharConvolutionTests
{
    [Theory]
    [InlineData(OutputKind.Softmax, 1, 0.0)]
    [InlineData(OutputKind.Softmax, 2, 0.05)]
    [InlineData(OutputKind.Crf, 1, 0.0)]
    [InlineData(OutputKind.Crf, 2, 0.05)]
    [InlineData(OutputKind.Sigmoid, 1, 0.0)]
    public void The_char_cnn_passes_the_gradient_check_and_both_engines_agree(OutputKind output, int layers, double l2)
    {
        var o = new GradientCheckOptions { Output = output, Layers = layers, Hidden = 3, L2 = l2, CharCnn = true, ExtraTables = 1, Windows = 12, SentenceLength = 4 };
        var (model, ids, labels) = GradientCheck.Setup(o);
        var numeric = GradientCheck.NumericalGradient(model, ids, labels, o.L2, o.Epsilon, o);
        var manual = GradientCheck.AnalyticGradient(model, ids, labels, o.L2, o);
        var graph = GradientCheck.AnalyticGradient(new GraphBackprop<double>(model, o.Windows), ids, labels, o.L2, o);
        var result = GradientCheck.Compare(model.Parameters, manual, numeric, o.Tolerance, 0);
        Assert.True(result.Passed, $"norm {result.DiffNorm:E3}: " + string.Join(", ", result.Blocks.Select(b => $"{b.Name} {b.DiffNorm:E2}")));
        Assert.True(GradientCheck.Compare(model.Parameters, graph, numeric, o.Tolerance, 0).Passed);
        foreach (var name in new[] { "Wchr", "W0", "b0" })
        {
            var b = model.Parameters[name];
            Assert.Contains(manual.AsSpan(b.Offset, b.Length).ToArray(), g => g != 0); // the feature is used
        }
        for (int i = 0; i < manual.Length; i++)
            Assert.True(Math.Abs(manual[i] - graph[i]) < 1e-12, $"parameter {i}: manual {manual[i]}, graph {graph[i]}");
    }

    [Theory]
    [InlineData(OutputKind.Crf)]
    [InlineData(OutputKind.Softmax)]
    public void Overlapping_windows_of_a_sentence_reuse_a_word_s_feature_with_the_same_gradients(OutputKind output)
    {
        // Windows laid out as a sentence's are (window i, slot c) = token i + c − m: the forward reuses r across them.
        var o = new GradientCheckOptions { Output = output, Hidden = 3, CharCnn = true, ExtraTables = 1, Windows = 9, SentenceLength = 9 };
        var (model, random, labels) = GradientCheck.Setup(o);
        int c = model.Config.Window, f = model.Config.IdsPerToken, m = c / 2;
        var ids = new int[o.Windows * c * f];
        for (int i = 0; i < o.Windows; i++)
            for (int s = 0; s < c; s++)
            {
                int token = Math.Clamp(i + s - m, 0, o.Windows - 1); // the ends repeat the first and last token as padding
                random.AsSpan(token * c * f + m * f, f).CopyTo(ids.AsSpan((i * c + s) * f, f));
            }
        var numeric = GradientCheck.NumericalGradient(model, ids, labels, 0, o.Epsilon, o);
        var manual = GradientCheck.AnalyticGradient(model, ids, labels, 0, o);
        var graph = GradientCheck.AnalyticGradient(new GraphBackprop<double>(model, o.Windows), ids, labels, 0, o);
        Assert.True(GradientCheck.Compare(model.Parameters, manual, numeric, o.Tolerance, 0).Passed);
        for (int i = 0; i < manual.Length; i++)
            Assert.True(Math.Abs(manual[i] - graph[i]) < 1e-12, $"parameter {i}: manual {manual[i]}, graph {graph[i]}");
    }

    // Alphabet: ids 0–3 reserved, 4 = 'a', 5 = 'b'; d = 1, one filter of width 2 that reads [x_m, x_{m+1}] with W0 = [1, 0].
    private static (double[] Wchr, double[] W0, double[] B0) HandNetwork() =>
        (new double[] { 0, 0, -5, -5, 2, 3 }, new double[] { 1, 0 }, new double[] { 0.5 });

    [Fact]
    public void The_max_routes_the_gradient_to_the_winning_window()
    {
        var (wchr, w0, b0) = HandNetwork();
        int[] chars = [CharAlphabet.Begin, 4, 5, 4, CharAlphabet.End, 0]; // ⟨w⟩ a b a ⟨/w⟩: windows start at 0 … 3
        Assert.Equal(4, CharConvolution<double>.Positions(chars, 2));
        var r = new double[1];
        var arg = new int[1];
        CharConvolution<double>.Forward(r, arg, new double[8], new double[4], chars, wchr, w0, b0, 1, 2, 1);
        Assert.Equal(3.5, r[0]); // u = [−4.5, 2.5, 3.5, 2.5]: window 2 ('b', 'a') wins
        Assert.Equal(2, arg[0]);

        var dWchr = new double[6];
        var dW0 = new double[2];
        var db0 = new double[1];
        CharConvolution<double>.Backward(dWchr, dW0, db0, [2.0], arg, chars, wchr, w0, 1, 2, 1);
        Assert.Equal(new double[] { 2 * 3, 2 * 2 }, dW0);           // ∂J/∂r · z_2 = 2 · [Wchr[b], Wchr[a]]
        Assert.Equal(new double[] { 2 }, db0);
        Assert.Equal(new double[] { 0, 0, 0, 0, 0, 2 * 1 }, dWchr); // W0 = [1, 0]: only 'b' (the window's first character) moves
    }

    [Fact]
    public void A_tie_goes_to_the_first_window_in_both_engines()
    {
        var (wchr, w0, b0) = HandNetwork();
        int[] chars = [CharAlphabet.Begin, 5, 4, 5, CharAlphabet.End]; // ⟨w⟩ b a b ⟨/w⟩: windows 1 and 3 both start with 'b'
        var r = new double[1];
        var arg = new int[1];
        CharConvolution<double>.Forward(r, arg, new double[8], new double[4], chars, wchr, w0, b0, 1, 2, 1);
        Assert.Equal(3.5, r[0]);
        Assert.Equal(1, arg[0]);

        var u = Node<double>.Matrix([-4.5, 3.5, 2.5, 3.5], 4, 1);
        var y = Ops.MaxOverRuns(u, [4]);
        Ops.Sum(y).Backward();
        Assert.Equal(new double[] { 0, 1, 0, 0 }, u.Grad.ToArray());
    }

    [Fact]
    public void The_max_over_runs_takes_each_run_and_column_apart()
    {
        var u = Node<double>.Matrix([1, 9, 4, 2, 3, 3, 7, 0, 5, 8], 5, 2); // runs: rows 0–1, rows 2–4
        var y = Ops.MaxOverRuns(u, [2, 3]);
        Assert.Equal(new double[] { 4, 9, 7, 8 }, y.Data.ToArray());
        Ops.Sum(y).Backward();
        Assert.Equal(new double[] { 0, 1, 1, 0, 0, 0, 1, 0, 0, 1 }, u.Grad.ToArray());
    }

    [Fact]
    public void The_graph_drawing_shows_the_character_convolution()
    {
        var (model, _, _) = GradientCheck.Setup(new GradientCheckOptions { CharCnn = true });
        var dot = GraphDot.Render(model.Config, backward: true);
        foreach (var name in new[] { "Wchr", "W0", "b0", "max_m" })
            Assert.Contains(name, dot, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Obama", new[] { 2, -1, -1, -1, -1, -1, 3, 0 })]
    [InlineData("internationalisation", new[] { 2, -1, -1, -1, -1, -1, -1, 3 })]
    public void Words_are_padded_and_long_words_keep_both_ends(string word, int[] shape)
    {
        var a = CharAlphabet.Build([word], 8);
        var ids = new int[8];
        a.Encode(word, ids);
        for (int i = 0; i < 8; i++)
            if (shape[i] >= 0) Assert.Equal(shape[i], ids[i]);
            else Assert.True(ids[i] >= CharAlphabet.Reserved);
        if (word.Length > 6)
        {
            var back = new string(ids[1..7].Select(id => a.Characters[id - CharAlphabet.Reserved]).ToArray());
            Assert.Equal("intion", back); // the first three and the last three characters
        }
        a.Encode("Zé", ids); // characters not seen in training share the unknown id
        Assert.Equal(new[] { 2, 1, 1, 3, 0, 0, 0, 0 }, ids);
    }
}
