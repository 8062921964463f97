using Nerve.Diagnostics;
using Nerve.Model;

namespace Nerve.Tests.Model;

/// <summary>
/// PA4's written question: a softmax over two scores (s₁, s₂) is σ(s₁ − s₂) (docs/analysis.md), so the softmax head with
/// two classes and the sigmoid head give the same loss and gradients when u = U₁ − U₀ and b = b₁ − b₀.
/// </summary>
public class TwoClassSoftmaxTests
{
    [Fact]
    public void The_heads_agree_on_loss_and_score_gradients()
    {
        double[] s2 = [0.3, -1.2, 2.5, -0.4, 0.0, 4.0, -3.0, 0.7]; // (B=4, 2): [s_O, s_POS] per window
        int[] y = [1, 0, 1, 0];
        var s1 = new double[4];
        for (int i = 0; i < 4; i++) s1[i] = s2[2 * i + 1] - s2[2 * i];
        var softmax = new SoftmaxHead<double>(2);
        var sigmoid = new SigmoidHead<double>();
        double[] p2 = new double[8], p1 = new double[4], ds2 = new double[8], ds1 = new double[4];

        double j2 = softmax.PerWindow.Forward(p2, s2, y, 4);
        double j1 = sigmoid.PerWindow.Forward(p1, s1, y, 4);
        softmax.PerWindow.Backward(ds2, p2, y, 4, 0.5);
        sigmoid.PerWindow.Backward(ds1, p1, y, 4, 0.5);

        Assert.Equal(j2, j1, 1e-12);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(p2[2 * i + 1], p1[i], 1e-12);   // softmax(s)_POS = σ(s_POS − s_O)
            Assert.Equal(ds2[2 * i + 1], ds1[i], 1e-12); // ∂J/∂s_POS = ∂J/∂s
            Assert.Equal(-ds2[2 * i], ds1[i], 1e-12);    // ∂J/∂s_O = −∂J/∂s
        }
    }

    [Fact]
    public void Whole_networks_with_matching_weights_agree_on_loss_and_every_gradient()
    {
        var (soft, ids, y) = GradientCheck.Setup(new GradientCheckOptions { Output = OutputKind.Softmax, Classes = 2, Hidden = 4, Seed = 3 });
        var (sig, _, _) = GradientCheck.Setup(new GradientCheckOptions { Output = OutputKind.Sigmoid, Hidden = 4, Seed = 3 });
        Assert.Equal(soft.Parameters.Blocks.Select(b => b.Name), sig.Parameters.Blocks.Select(b => b.Name));
        const string u = "U", b2 = "b2";
        foreach (var block in soft.Parameters.Blocks.Where(b => b.Name is not u and not b2))
            soft.Parameters.Value(block).CopyTo(sig.Parameters.Value(sig.Parameters[block.Name]));
        var us = soft.Parameters.Value(soft.Parameters[u]); // (2, H)
        var bs = soft.Parameters.Value(soft.Parameters[b2]); // (2)
        int h = us.Length / 2;
        for (int j = 0; j < h; j++) sig.Parameters.Value(sig.Parameters[u])[j] = us[h + j] - us[j];
        sig.Parameters.Value(sig.Parameters[b2])[0] = bs[1] - bs[0];

        var gSoft = GradientCheck.AnalyticGradient(new ManualBackprop<double>(soft, y.Length), ids, y, 0, new GradientCheckOptions());
        var gSig = GradientCheck.AnalyticGradient(new ManualBackprop<double>(sig, y.Length), ids, y, 0, new GradientCheckOptions());

        Assert.Equal(GradientCheck.Loss(soft, ids, y, 0, new GradientCheckOptions()), GradientCheck.Loss(sig, ids, y, 0, new GradientCheckOptions()), 1e-12);
        foreach (var block in soft.Parameters.Blocks)
        {
            var a = gSoft.AsSpan(block.Offset, block.Length);
            var b = gSig.AsSpan(sig.Parameters[block.Name].Offset, sig.Parameters[block.Name].Length);
            if (block.Name == u)
                for (int j = 0; j < h; j++)
                {
                    Assert.Equal(a[h + j], b[j], 1e-12);  // ∂J/∂U_POS = ∂J/∂u
                    Assert.Equal(-a[j], b[j], 1e-12);     // ∂J/∂U_O = −∂J/∂u
                }
            else if (block.Name == b2)
            {
                Assert.Equal(a[1], b[0], 1e-12);
                Assert.Equal(-a[0], b[0], 1e-12);
            }
            else
                for (int j = 0; j < a.Length; j++) Assert.Equal(a[j], b[j], 1e-12); // L, W, b1: the same
        }
    }
}
