using Nerve.Features;
using Nerve.Model;
using Nerve.Numerics;
using Nerve.Jobs;
using Nerve.Training;
using Xunit;

namespace Nerve.Tests.Numerics;

public sealed class IntraOpTests : IDisposable
{
    private readonly TempDir _temp = new();
    private string _dir => _temp.Path;

    public void Dispose() => _temp.Dispose();

    private static float[] Random(Random rng, int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();

    /// <summary>Runs <paramref name="kernel"/> on a copy of <paramref name="output"/> alone and on a team; the bits must agree.</summary>
    private static void SameBits(float[] output, Action<float[]> kernel, int threads, string what)
    {
        var alone = (float[])output.Clone();
        var split = (float[])output.Clone();
        kernel(alone);
        using (IntraOp.Use(threads))
        {
            Assert.Equal(threads, IntraOp.Threads);
            kernel(split);
        }
        Assert.Equal(1, IntraOp.Threads);
        for (int i = 0; i < alone.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(alone[i]) == BitConverter.SingleToInt32Bits(split[i]), $"{what}: element {i} {alone[i]} vs {split[i]}");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Kernels_split_over_a_team_give_the_one_thread_bits(int threads)
    {
        // Shapes past the split threshold, with odd sizes so parts and vector tails do not line up.
        foreach (var (m, n, k) in new[] { (14, 400, 791), (256, 100, 250), (37, 53, 129), (5, 1000, 65), (200, 33, 70) })
        {
            var rng = new Random(m + n + k);
            var a = Random(rng, m * k);   // (m, k)
            var bnk = Random(rng, n * k); // (n, k)
            var akm = Random(rng, k * m); // (k, m)
            var bkn = Random(rng, k * n); // (k, n)
            string at = $"m={m} n={n} k={k} on {threads}";
            SameBits(Random(rng, m * n), c => BlasFloat.GemmNT(c, a, bnk, m, n, k, SimdWidth.Auto), threads, "GemmNT " + at);
            SameBits(Random(rng, m * n), c => BlasFloat.GemmNN(c, a, bkn, m, n, k, SimdWidth.Auto), threads, "GemmNN " + at);
            SameBits(Random(rng, m * n), c => BlasFloat.GemmTN(c, akm, bkn, m, n, k, SimdWidth.Auto), threads, "GemmTN " + at);
            var x = Random(rng, k);
            SameBits(Random(rng, m), y => BlasFloat.Gemv(y, a, x, m, k, SimdWidth.Auto), threads, "Gemv " + at);
            var xm = Random(rng, m);
            SameBits(a, w => BlasFloat.Ger(w, -0.5f, xm, x, m, k, SimdWidth.Auto), threads, "Ger " + at);
        }
    }

    [Theory]
    [InlineData(OptimizerKind.AdaGrad)]
    [InlineData(OptimizerKind.Sgd)]
    public void The_dense_update_split_over_a_team_gives_the_one_thread_bits(OptimizerKind kind)
    {
        var config = new ModelConfig { Window = 3, Hidden = [300], Labels = ["O", "PER"], Features = [new FeatureSpec("word", 20, 300)] };
        var a = new WindowModel<float>(config);
        a.Initialize(new Random(1));
        var b = new WindowModel<float>(config);
        a.Parameters.Values.CopyTo(b.Parameters.Values, 0);
        var rng = new Random(2);
        var ga = Random(rng, a.Parameters.Count); // W is 300 × 900: above the split threshold
        var gb = (float[])ga.Clone();
        var oa = new Optimizer<float>(a.Parameters, kind);
        var ob = new Optimizer<float>(b.Parameters, kind);
        var rows = new[] { new RowSet(20) };
        for (int step = 0; step < 3; step++)
        {
            oa.Step(ga, rows, a.Tables, [false], 0.1f);
            using (IntraOp.Use(2)) ob.Step(gb, rows, b.Tables, [false], 0.1f);
            Assert.Equal(a.Parameters.Values, b.Parameters.Values);
            Assert.Equal(ga, gb); // zeroed alike
            Assert.Equal(oa.State, ob.State);
            for (int i = 0; i < ga.Length; i++) ga[i] = gb[i] = (float)Math.Sin(i + step);
        }
    }

    [Fact]
    [Trait("Category", "Acceptance")]
    public void A_crf_model_trains_to_the_same_parameters_on_one_and_two_threads()
    {
        // A sentence per step: the two-thread run splits the step's GEMMs and updates (IntraOp) instead of the batch.
        string train = Path.Combine(_dir, "train.txt");
        Synthetic.Write(train, Synthetic.Corpus(120, 3));
        float[] Train(int threads)
        {
            string path = Path.Combine(_dir, $"m{threads}.nerve");
            TrainJob.Run(new TrainJobOptions
            {
                TrainPath = train,
                ModelPath = path,
                Dim = 64,
                MinCount = 1,
                Hidden = [160],
                Output = OutputKind.Crf,
                Training = new TrainOptions { Epochs = 2, Threads = threads, InputDropout = 0.1 },
            });
            return Nerve.Model.NerModel.Load(path).Network.Parameters.Values; // the file also records the options, threads included
        }
        var one = Train(1);
        var two = Train(2);
        Assert.Equal(one.Length, two.Length);
        for (int i = 0; i < one.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(one[i]) == BitConverter.SingleToInt32Bits(two[i]), $"parameter {i}: {one[i]} vs {two[i]}");
    }

    [Fact]
    public void A_part_that_fails_on_a_helper_fails_the_call()
    {
        var team = new Team(2);
        var e = Assert.Throws<AggregateException>(() => team.Run(new Failing(), 2));
        Assert.IsType<InvalidOperationException>(e.InnerException);
        var counted = new Counting();
        team.Run(counted, 2); // the team still works afterwards
        Assert.Equal(2, counted.Parts);
    }

    private sealed class Failing : IPart
    {
        public void Run(int part, int parts)
        {
            if (part == 1) throw new InvalidOperationException("part 1");
        }
    }

    private sealed class Counting : IPart
    {
        private int _parts;
        public int Parts => _parts;

        public void Run(int part, int parts) => Interlocked.Increment(ref _parts);
    }
}
