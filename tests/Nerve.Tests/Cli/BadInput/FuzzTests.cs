using System.Text;
using Nerve.Corpus;
using Nerve.Model;
using Nerve.Training;
using Nerve.Vectors;

namespace Nerve.Tests.Cli.BadInput;

/// <summary>
/// Random mutations (bit flips, truncations, insertions, duplicated lines; fixed seed) of a CoNLL file, a vectors file
/// (plain and gzip), a model and a checkpoint, fed to the readers in process: only <see cref="NerveException"/> may
/// escape, and each case must end within a generous bound (the bound detects a hang, it measures no speed).
/// </summary>
[Trait("Category", "Acceptance")]
public sealed class FuzzTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly List<Sentence> Train = Synthetic.Corpus(12, 3);
    private static readonly TrainOptions Options = new() { Epochs = 1, Seed = 4 };
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("conll", 2500)]
    [InlineData("vectors", 2500)]
    [InlineData("vectors.gz", 2000)]
    [InlineData("model", 1500)]
    [InlineData("checkpoint", 1500)]
    public async Task Mutated_files_raise_only_nerve_exceptions(string kind, int iterations)
    {
        Action<string> read;
        byte[] seed;
        switch (kind)
        {
            case "conll":
                seed = Encoding.UTF8.GetBytes("-DOCSTART- -X- O O\n\n" + string.Concat(Synthetic.Corpus(20, 3).Select(s => string.Concat(s.Words.Zip(s.Tags, (w, t) => $"{w} NN O {t}\n")) + "\n")));
                read = p => CorpusReader.Read(p);
                break;
            case "vectors":
                seed = Encoding.ASCII.GetBytes("4 4\nthe 0.1 0.2 0.3 0.4\nof -1 2e-3 3 4\nand 5 6 7 8\nParis 1 1 1 1\n");
                read = p => WordVectors.Load(p);
                break;
            case "vectors.gz":
                seed = BadFiles.Gzip(Encoding.ASCII.GetBytes("the 0.1 0.2 0.3 0.4\nof -1 2e-3 3 4\nand 5 6 7 8\nParis 1 1 1 1\n"));
                read = p => WordVectors.Load(p);
                break;
            case "model":
                var m = _dir.File("m.nerve");
                Synthetic.NewModel(Train, 1, hidden: 4, dim: 4).Save(m);
                seed = File.ReadAllBytes(m);
                int n = 0;
                read = p => NerModel.Load(p, verify: n++ % 2 == 0); // half without the SHA-256, so the parsers behind it are reached
                break;
            default:
                var trainer = new Trainer(Synthetic.NewModel(Train, 1, hidden: 4, dim: 4), Train, null, Options, (_, _, _) => 0);
                using (var cancelled = new CancellationTokenSource())
                {
                    cancelled.Cancel();
                    var ck = _dir.File("m.ckpt");
                    trainer.Train(checkpoint: ck, cancel: cancelled.Token); // saves the state at the first step and returns
                    seed = File.ReadAllBytes(ck);
                }
                read = p =>
                {
                    using var stop = new CancellationTokenSource();
                    stop.Cancel();
                    trainer.Train(checkpoint: p, resume: true, cancel: stop.Token); // loads, then saves and returns at once
                };
                break;
        }

        var rng = new Random(17);
        var path = _dir.File("case" + (kind.EndsWith(".gz", StringComparison.Ordinal) ? ".gz" : ""));
        for (int i = 0; i < iterations; i++)
        {
            var (bytes, how) = Mutate(seed, rng);
            File.WriteAllBytes(path, bytes);
            var run = Task.Run(() =>
            {
                try
                {
                    read(path);
                }
                catch (NerveException)
                {
                }
                catch (Exception e)
                {
                    throw new Xunit.Sdk.XunitException($"{kind} case {i} ({how}): {e.GetType().Name} escaped: {e.Message}\n{e.StackTrace}");
                }
            });
            try
            {
                await run.WaitAsync(Bound);
            }
            catch (TimeoutException)
            {
                Assert.Fail($"{kind} case {i} ({how}) did not end within {Bound}");
            }
        }
    }

    /// <summary>One of: flip 1–8 bits, truncate, insert 1–15 random bytes, duplicate a line; with the mutation in words.</summary>
    private static (byte[] Bytes, string How) Mutate(byte[] seed, Random rng)
    {
        var b = new List<byte>(seed);
        switch (rng.Next(4))
        {
            case 0:
                var flips = new List<int>();
                for (int k = rng.Next(1, 9); k > 0; k--)
                {
                    int at = rng.Next(b.Count), bit = rng.Next(8);
                    b[at] ^= (byte)(1 << bit);
                    flips.Add(at * 8 + bit);
                }
                return ([.. b], "bits " + string.Join(',', flips) + " flipped");
            case 1:
                int cut = rng.Next(b.Count + 1);
                b.RemoveRange(cut, b.Count - cut);
                return ([.. b], $"cut at {cut}");
            case 2:
                var extra = new byte[rng.Next(1, 16)];
                rng.NextBytes(extra);
                int where = rng.Next(b.Count + 1);
                b.InsertRange(where, extra);
                return ([.. b], $"{Convert.ToHexString(extra)} inserted at {where}");
            default:
                var lines = Encoding.Latin1.GetString([.. b]).Split('\n').ToList();
                int l = rng.Next(lines.Count);
                lines.Insert(l, lines[l]);
                return (Encoding.Latin1.GetBytes(string.Join('\n', lines)), $"line {l + 1} duplicated");
        }
    }
}
