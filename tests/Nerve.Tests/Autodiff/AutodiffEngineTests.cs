using Nerve.Autodiff;
using Nerve.Model;

namespace Nerve.Tests.Autodiff;

/// <summary>The graph engine on tiny graphs: lecture 3's rules for single nodes and its worked Jacobians.</summary>
public sealed class AutodiffEngineTests
{
    private static Node<double> S(double v) => Node<double>.Scalar(v);

    private static double[] Random(Random rng, int n) => Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();

    private static void Close(double[,] expected, double[,] actual, double tolerance)
    {
        Assert.Equal(expected.GetLength(0), actual.GetLength(0));
        Assert.Equal(expected.GetLength(1), actual.GetLength(1));
        for (int i = 0; i < expected.GetLength(0); i++)
            for (int j = 0; j < expected.GetLength(1); j++)
                Assert.True(Math.Abs(expected[i, j] - actual[i, j]) <= tolerance, $"[{i},{j}]: expected {expected[i, j]}, got {actual[i, j]}");
    }

    [Fact]
    public void Plus_distributes_the_upstream_gradient()
    {
        var a = S(2);
        var b = S(-3);
        var s = Ops.Scale(Ops.Add(a, b), 5.0); // s = 5(a + b): upstream 5 reaches both unchanged
        s.Backward();
        Assert.Equal(-5, s.Data[0]);
        Assert.Equal(5, a.Grad[0]);
        Assert.Equal(5, b.Grad[0]);
    }

    [Fact]
    public void Times_switches_the_inputs()
    {
        var a = S(2);
        var b = S(-3);
        var s = Ops.Multiply(a, b);
        s.Backward();
        Assert.Equal(-3, a.Grad[0]); // ∂(ab)/∂a = b
        Assert.Equal(2, b.Grad[0]);  // ∂(ab)/∂b = a
    }

    [Fact]
    public void Max_routes_the_gradient_to_the_larger_input()
    {
        var a = Node<double>.Vector([3, -1, 0.5]);
        var b = Node<double>.Vector([1, 2, 0.25]);
        var s = Ops.Sum(Ops.Scale(Ops.Max(a, b), 2.0));
        s.Backward();
        Assert.Equal([2, 0, 2], a.Grad.ToArray());
        Assert.Equal([0, 2, 0], b.Grad.ToArray());

        var v = Node<double>.Vector([1, 7, 3]);
        var m = Ops.MaxOver(v);
        m.Backward();
        Assert.Equal(7, m.Data[0]);
        Assert.Equal([0, 1, 0], v.Grad.ToArray());
    }

    [Fact]
    public void Gradients_sum_where_a_value_fans_out()
    {
        // s = a·a + a uses a three times: ds/da = 2a + 1.
        var a = S(3);
        var s = Ops.Add(Ops.Multiply(a, a), a);
        s.Backward();
        Assert.Equal(12, s.Data[0]);
        Assert.Equal(7, a.Grad[0]);

        // A shared hidden value: h = tanh(x), s = h + 2h, so ∂s/∂h = 3 and ∂s/∂x = 3(1 − h²).
        var x = S(0.4);
        var h = Ops.Tanh(x);
        var t = Ops.Add(h, Ops.Scale(h, 2.0));
        t.Backward();
        Assert.Equal(3, h.Grad[0]);
        Assert.Equal(3 * (1 - Math.Tanh(0.4) * Math.Tanh(0.4)), x.Grad[0], 1e-15);
    }

    [Fact]
    public void The_topological_order_puts_inputs_first_and_backward_needs_a_scalar()
    {
        var a = S(1);
        var b = S(2);
        var c = Ops.Add(a, b);
        var d = Ops.Multiply(c, a);
        var order = d.TopologicalOrder();
        Assert.Equal(4, order.Count);
        Assert.Same(d, order[^1]);
        Assert.True(order.IndexOf(c) > order.IndexOf(a) && order.IndexOf(c) > order.IndexOf(b));
        var v = Node<double>.Vector([1, 2]);
        Assert.Throws<InvalidOperationException>(() => Ops.Tanh(v).Backward());
    }

    [Fact]
    public void Constants_and_frozen_leaves_take_no_gradient()
    {
        var x = Node<double>.Vector([-1, 2]);
        var frozen = Node<double>.Matrix([1, 2, 3, 4], 2, 2, "L");
        frozen.RequiresGrad = false;
        var s = Ops.Sum(Ops.Add(Ops.Relu(x), Ops.MatMul(frozen, x)));
        s.Backward();
        Assert.Equal([0, 0, 0, 0], frozen.Grad.ToArray());
        Assert.Equal([0 + 1 + 3, 1 + 2 + 4], x.Grad.ToArray()); // relu routes only x₂; (Fᵀ1)ᵢ = column sums
    }

    [Fact]
    public void The_jacobian_of_Wx_plus_b_is_W()
    {
        var rng = new Random(1);
        var w = Random(rng, 12);
        var b = Node<double>.Vector(Random(rng, 3));
        var wc = Node<double>.Matrix(w, 3, 4, "W");
        var x = Node<double>.Vector(Random(rng, 4), "x");
        Node<double> F(Node<double> v) => Ops.Add(Ops.MatMul(wc, v), b);
        var expected = new double[3, 4];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) expected[i, j] = w[i * 4 + j];
        Close(expected, Jacobian.Graph(F, x), 1e-15);
        Close(expected, Jacobian.Numerical(F, x, 1e-6), 1e-9);
    }

    [Fact]
    public void The_jacobian_of_u_transpose_h_with_respect_to_u_is_h_transpose()
    {
        var rng = new Random(2);
        var h = Random(rng, 5);
        var hc = Node<double>.Vector(h, "h");
        var u = Node<double>.Vector(Random(rng, 5), "u");
        var jac = Jacobian.Graph(v => Ops.Dot(v, hc), u);
        var expected = new double[1, 5];
        for (int j = 0; j < 5; j++) expected[0, j] = h[j];
        Close(expected, jac, 1e-15);
    }

    [Theory]
    [InlineData(ActivationKind.Tanh)]
    [InlineData(ActivationKind.Sigmoid)]
    [InlineData(ActivationKind.Relu)]
    [InlineData(ActivationKind.HardTanh)]
    public void The_jacobian_of_an_elementwise_activation_is_diag_f_prime(ActivationKind kind)
    {
        double[] z = [-2, -0.5, 0.3, 1.7, 0.9];
        var jac = Jacobian.Graph(v => Ops.Activation(v, kind), Node<double>.Vector(z, "z"));
        var expected = new double[5, 5];
        for (int i = 0; i < 5; i++) expected[i, i] = Derivative(kind, z[i]);
        Close(expected, jac, 1e-15);
        Close(expected, Jacobian.Numerical(v => Ops.Activation(v, kind), Node<double>.Vector(z), 1e-6), 1e-9);
    }

    private static double Derivative(ActivationKind kind, double z) => kind switch
    {
        ActivationKind.Tanh => 1 - Math.Tanh(z) * Math.Tanh(z),
        ActivationKind.Sigmoid => Math.Exp(-z) / ((1 + Math.Exp(-z)) * (1 + Math.Exp(-z))),
        ActivationKind.Relu => z > 0 ? 1 : 0,
        _ => Math.Abs(z) < 1 ? 1 : 0,
    };

    /// <summary>The lecture's network for one window: z = Wx + b, h = f(z), s = uᵀh.</summary>
    private sealed class Window
    {
        public Window(int seed)
        {
            var rng = new Random(seed);
            W = Random(rng, N * M);
            X = Random(rng, M);
            B = Random(rng, N);
            U = Random(rng, N);
            var z = new double[N];
            for (int i = 0; i < N; i++) { z[i] = B[i]; for (int j = 0; j < M; j++) z[i] += W[i * M + j] * X[j]; }
            // δ = ∂s/∂h ∂h/∂z = uᵀ ∘ f′(z), the local error signal.
            Delta = Enumerable.Range(0, N).Select(i => U[i] * (1 - Math.Tanh(z[i]) * Math.Tanh(z[i]))).ToArray();
        }

        public const int N = 3, M = 4;
        public double[] W, X, B, U, Delta;

        public Node<double> S(Node<double> w, Node<double> b)
            => Ops.Dot(Node<double>.Vector(U), Ops.Tanh(Ops.Add(Ops.MatMul(w, Node<double>.Vector(X)), b)));
    }

    [Fact]
    public void The_gradient_of_s_with_respect_to_b_is_u_transpose_times_f_prime_of_z()
    {
        var net = new Window(3);
        var wc = Node<double>.Matrix(net.W, Window.N, Window.M);
        var jac = Jacobian.Graph(b => net.S(wc, b), Node<double>.Vector(net.B, "b"));
        var expected = new double[1, Window.N];
        for (int i = 0; i < Window.N; i++) expected[0, i] = net.Delta[i];
        Close(expected, jac, 1e-15);
        Close(expected, Jacobian.Numerical(b => net.S(wc, b), Node<double>.Vector(net.B), 1e-6), 1e-9);
    }

    [Fact]
    public void The_gradient_of_s_with_respect_to_W_is_delta_transpose_x_transpose()
    {
        var net = new Window(4);
        var bc = Node<double>.Vector(net.B);
        var w = Node<double>.Matrix(net.W, Window.N, Window.M, "W");
        var jac = Jacobian.Graph(v => net.S(v, bc), w); // 1 × N·M, row-major W
        net.S(w, bc).Backward();                        // the gradient in W's shape
        var expected = new double[1, Window.N * Window.M];
        for (int i = 0; i < Window.N; i++)
            for (int j = 0; j < Window.M; j++)
            {
                expected[0, i * Window.M + j] = net.Delta[i] * net.X[j]; // (δᵀxᵀ)_ij
                Assert.Equal(net.Delta[i] * net.X[j], w.Grad[i * Window.M + j], 1e-15);
            }
        Close(expected, jac, 1e-15);
    }

    [Fact]
    public void Every_operation_agrees_with_central_differences()
    {
        // One function through every operation: lookup, ⊕, reshape, both products, max, activations, both losses.
        var rng = new Random(5);
        var table = Node<double>.Matrix(Random(rng, 6 * 2), 6, 2, "L");
        var w = Node<double>.Matrix(Random(rng, 3 * 4), 3, 4);
        var v = Node<double>.Matrix(Random(rng, 4 * 2), 4, 2);
        Node<double> F(Node<double> l)
        {
            var x = Ops.Reshape(Ops.Concat(Ops.Gather(l, [1, 4, 1, 0]), Ops.Gather(l, [5, 1, 2, 2])), 2, 2, 8); // (2, 8)
            var left = Ops.Reshape(x, 2, 4, 4);                                                                 // (4, 4)
            var z = Ops.MatMulTransposed(left, w);                                                              // (4, 3)
            var h = Ops.Subtract(Ops.Sigmoid(z), Ops.HardTanh(Ops.Scale(z, 1.5)));
            var q = Ops.MatMul(Ops.Concat(Ops.Relu(Ops.Reshape(x, 2, 4, 4)), Ops.Tanh(left)), Ops.Reshape(Ops.Concat(v, v), 2, 8, 2)); // (4, 2)
            var ce = Ops.SoftmaxCrossEntropy(h, [0, 2, 1, 1]);
            var bce = Ops.SigmoidCrossEntropy(Ops.Reshape(q, 1, 1, 8), [1, 0, 0, 1, 1, 1, 0, 0]);
            return Ops.Concat(Ops.Reshape(Ops.Add(ce, bce), 1, 1, 1), Ops.Reshape(Ops.MaxOver(q), 1, 1, 1), Ops.Reshape(Ops.SquaredNorm(h), 1, 1, 1),
                Ops.MatMul(Ops.Reshape(q, 2, 2, 4), Ops.Reshape(Ops.Gather(l, [3, 3]), 1, 1, 4)));
        }
        var analytic = Jacobian.Graph(F, table);
        var numeric = Jacobian.Numerical(F, table, 1e-6);
        Assert.Equal(5, analytic.GetLength(0));
        Close(numeric, analytic, 1e-8);
    }

    [Fact]
    public void A_lookup_writes_only_the_rows_it_read()
    {
        var table = Node<double>.Matrix(Enumerable.Range(0, 10).Select(i => (double)i).ToArray(), 5, 2, "L");
        var written = new RowSet(5);
        var s = Ops.Sum(Ops.Gather(table, [3, 1, 3], written));
        s.Backward();
        Assert.Equal([0, 0, 1, 1, 0, 0, 2, 2, 0, 0], table.Grad.ToArray());
        Assert.Equal([3, 1], written.Rows.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Gather(table, [5]));
    }

    [Fact]
    public void The_fused_losses_are_stable_for_large_scores()
    {
        var s = Node<float>.Vector([1000f, -1000f, 0f]);
        var ce = Ops.SoftmaxCrossEntropy(s, [1]);
        ce.Backward();
        Assert.Equal(2000f, ce.Data[0]);
        Assert.Equal([1f, -1f, 0f], s.Grad.ToArray());
        var t = Node<float>.Vector([-200f]);
        var bce = Ops.SigmoidCrossEntropy(t, [1]);
        bce.Backward();
        Assert.Equal(200f, bce.Data[0]);
        Assert.Equal(-1f, t.Grad[0]);
    }
}
