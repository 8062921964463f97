using System.Numerics;

namespace Nerve.Autodiff;

/// <summary>
/// Full Jacobians (∂f/∂x)_ij = ∂f_i/∂x_j of small functions (lecture 3, "Jacobian matrices"): by central differences,
/// and through the graph with one backward pass per output component.
/// </summary>
public static class Jacobian
{
    /// <summary>(f_i(x + ε e_j) − f_i(x − ε e_j)) / 2ε for every i, j.</summary>
    public static T[,] Numerical<T>(Func<T[], T[]> f, T[] x, T epsilon) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var at = (T[])x.Clone();
        int m = f(at).Length;
        var jac = new T[m, x.Length];
        T twoEps = epsilon + epsilon;
        for (int j = 0; j < x.Length; j++)
        {
            at[j] = x[j] + epsilon;
            var plus = f(at);
            at[j] = x[j] - epsilon;
            var minus = f(at);
            at[j] = x[j];
            for (int i = 0; i < m; i++) jac[i, j] = (plus[i] - minus[i]) / twoEps;
        }
        return jac;
    }

    /// <summary>
    /// Central differences of a graph function, evaluating only its forward values: <paramref name="f"/> is called
    /// on leaves shaped like <paramref name="x"/> holding perturbed values.
    /// </summary>
    public static T[,] Numerical<T>(Func<Node<T>, Node<T>> f, Node<T> x, T epsilon) where T : unmanaged, IFloatingPointIeee754<T>
        => Numerical(v => f(Node<T>.Leaf(v, x.Rank, x.Rows, x.Cols, x.Name)).Data.ToArray(), x.Data.ToArray(), epsilon);

    /// <summary>
    /// Row i is ∂f_i/∂x: the graph y = f(x) is built, s = y_i is taken, and s.Backward() leaves row i in x's gradient
    /// (one backward pass per output component).
    /// </summary>
    public static T[,] Graph<T>(Func<Node<T>, Node<T>> f, Node<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!x.RequiresGrad) throw new ArgumentException("the input must be a leaf that takes gradients", nameof(x));
        int m = f(x).Length;
        var jac = new T[m, x.Length];
        for (int i = 0; i < m; i++)
        {
            x.Grad.Clear();
            Ops.Element(f(x), i).Backward();
            for (int j = 0; j < x.Length; j++) jac[i, j] = x.Grad[j];
        }
        x.Grad.Clear();
        return jac;
    }
}
