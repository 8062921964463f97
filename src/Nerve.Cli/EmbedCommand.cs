using System.CommandLine;
using System.Globalization;
using Nerve.Embed;
using Nerve.Jobs;

namespace Nerve.Cli;

/// <summary>`nerve embed`: skip-gram word vectors with subword n-grams (fastText-style) trained from raw text.</summary>
internal static class EmbedCommand
{
    public static Command Create()
    {
        var d = new SkipGramOptions();
        var input = new Option<string[]>("--input") { Description = "Plain-text file, one sentence or document per line (repeatable).", AllowMultipleArgumentsPerToken = false };
        var tokens = new Option<string[]>("--tokens") { Description = "Pre-tokenized text file, split on whitespace whatever --whitespace says (repeatable)." };
        var output = new Option<string>("--output") { Description = "Vectors in word2vec text format; gzipped if the name ends in .gz.", Required = true };
        var dim = new Option<int>("--dim") { Description = "Vector dimension.", DefaultValueFactory = _ => d.Dim };
        var window = new Option<int>("--window") { Description = "Maximum context distance.", DefaultValueFactory = _ => d.Window };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the text.", DefaultValueFactory = _ => d.Epochs };
        var minCount = new Option<int>("--min-count") { Description = "Drop words seen fewer times.", DefaultValueFactory = _ => d.MinCount };
        var negatives = new Option<int>("--negatives") { Description = "Negative samples per context word.", DefaultValueFactory = _ => d.Negatives };
        var minn = new Option<int>("--minn") { Description = "Shortest character n-gram.", DefaultValueFactory = _ => d.MinN };
        var maxn = new Option<int>("--maxn") { Description = "Longest character n-gram (0: no subwords).", DefaultValueFactory = _ => d.MaxN };
        var buckets = new Option<int>("--buckets") { Description = "Hash buckets for n-grams.", DefaultValueFactory = _ => d.Buckets };
        var lr = new Option<float>("--lr") { Description = "Initial learning rate, decayed linearly to 0.", DefaultValueFactory = _ => d.LearningRate };
        var sample = new Option<double>("--sample") { Description = "Subsampling threshold for frequent words (0: off).", DefaultValueFactory = _ => d.Sample };
        var threads = Cli.Threads(Math.Max(1, Environment.ProcessorCount));
        var seed = new Option<int>("--seed") { Description = "Random seed (deterministic with --threads 1).", DefaultValueFactory = _ => d.Seed };
        var whitespace = new Option<bool>("--whitespace") { Description = "Split the --input files on whitespace instead of the regex tokenizer." };
        var keepCase = new Option<bool>("--keep-case") { Description = "Do not lowercase." };
        var subwords = new Option<string>("--subwords") { Description = "Also write the character n-gram rows (text, gzipped if .gz) that give unknown words a vector: `train --subwords FILE` stores them in the model." };
        var subwordRows = new Option<int>("--subword-rows") { Description = "Most n-gram buckets kept in --subwords: those of the most frequent words' n-grams first.", DefaultValueFactory = _ => EmbedJobOptions.DefaultSubwordRows };
        var quiet = new Option<bool>("--quiet") { Description = "No progress on stderr." };
        var cmd = new Command("embed", "Train skip-gram word vectors with negative sampling and character n-grams (Mikolov et al. 2013; Bojanowski et al. 2017) from raw text.")
        {
            input, tokens, output, dim, window, epochs, minCount, negatives, minn, maxn, buckets, lr, sample, threads, seed, whitespace, keepCase, subwords, subwordRows, quiet,
        };
        cmd.SetAction(r => Cli.Guard(() =>
        {
            var ws = r.GetValue(whitespace);
            var inputs = (r.GetValue(input) ?? []).Select(p => new EmbedInput(p, ws))
                .Concat((r.GetValue(tokens) ?? []).Select(p => new EmbedInput(p, true)))
                .ToList();
            var o = new SkipGramOptions
            {
                Dim = r.GetValue(dim),
                Window = r.GetValue(window),
                Epochs = r.GetValue(epochs),
                MinCount = r.GetValue(minCount),
                Negatives = r.GetValue(negatives),
                MinN = r.GetValue(minn),
                MaxN = r.GetValue(maxn),
                Buckets = r.GetValue(buckets),
                LearningRate = r.GetValue(lr),
                Sample = r.GetValue(sample),
                Threads = r.GetValue(threads),
                Seed = r.GetValue(seed),
                Lowercase = !r.GetValue(keepCase),
            };
            var path = r.GetValue(output)!;
            var quietMode = r.GetValue(quiet);
            var (model, final) = EmbedJob.Run(new EmbedJobOptions { Inputs = inputs, OutputPath = path, Training = o, SubwordsPath = r.GetValue(subwords), SubwordRows = r.GetValue(subwordRows) }, new ConsoleProgress(quietMode, o.MinCount));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trained {model.Count} words × {model.Dim} in {Cli.F(final.Elapsed.TotalSeconds, "F1")} s: {Cli.F(final.WordsPerSecond, "N0")} words/s ({Cli.F(final.WordsPerSecondPerThread, "N0")} per thread × {o.Threads}; {Cli.F(final.WordsPerCpuSecond, "N0")} per CPU-second), loss {Cli.F(final.Loss, "F4")}; wrote {path}"));
            return 0;
        }));
        return cmd;
    }

    /// <summary>The corpus summary on stderr, then a progress line rewritten in place unless quiet.</summary>
    private sealed class ConsoleProgress(bool quiet, int minCount) : IEmbedProgress
    {
        public void CorpusRead(EmbedCorpus corpus)
            => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"read {corpus.RawTokenCount:N0} tokens in {corpus.LineCount:N0} lines; vocabulary {corpus.Words.Count:N0} words (min count {minCount}), {corpus.TokenCount:N0} tokens kept"));

        public void Progress(SkipGramProgress p)
        {
            if (!quiet)
                Console.Error.Write($"\rprogress {Cli.F(100 * p.Fraction, "F1")}%  words/s/thread {Cli.F(p.WordsPerSecondPerThread, "N0")}  lr {Cli.F(p.LearningRate, "F6")}  loss {Cli.F(p.Loss, "F4")}  ");
        }

        public void Trained()
        {
            if (!quiet)
                Console.Error.WriteLine();
        }
    }
}
