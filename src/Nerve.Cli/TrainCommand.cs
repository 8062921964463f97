using System.CommandLine;
using Nerve.Model;
using Nerve.Training;

namespace Nerve.Cli;

/// <summary>`nerve train`: trains a window network and saves the best epoch by dev F1.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var d = new TrainOptions();
        var train = new Option<string>("--train") { Description = "Training corpus (required, here or in --config)." };
        var dev = new Option<string?>("--dev") { Description = "Development corpus: scored every epoch; the best epoch is kept." };
        var model = new Option<string>("--model") { Description = "Where to write the model (safetensors; required)." };
        var format = Cli.Format();
        var tagColumn = Cli.TagColumn();
        var embeddings = new Option<string?>("--embeddings") { Description = "Pretrained word vectors: word2vec/GloVe/fastText text (plain or .gz), or PA4's wordVectors.txt with --vocab; \"none\" turns off the config's." };
        var vocab = new Option<string?>("--vocab") { Description = "PA4 vocab.txt, one word per line, matching --embeddings line by line." };
        var dim = new Option<int>("--dim") { Description = "Word vector dimension without --embeddings.", DefaultValueFactory = _ => 50 };
        var minCount = new Option<int>("--min-count") { Description = "Training words seen fewer times (and not in the vectors) become UUUNKKK.", DefaultValueFactory = _ => 2 };
        var window = new Option<int>("--window") { Description = "Window size C (odd).", DefaultValueFactory = _ => 5 };
        var hidden = new Option<string>("--hidden") { Description = "Hidden layer sizes, e.g. 100 or 100,50.", DefaultValueFactory = _ => "100" };
        var activation = new Option<ActivationKind>("--activation") { Description = "tanh, sigmoid, relu or hardtanh.", DefaultValueFactory = _ => ActivationKind.Tanh };
        var output = new Option<OutputKind>("--output") { Description = "softmax over all tags, sigmoid for one --positive tag against O (PA4 2012), or crf (sentence-level log-likelihood, trained in BIOES).", DefaultValueFactory = _ => OutputKind.Softmax };
        var positive = new Option<string?>("--positive") { Description = "The positive tag of the sigmoid head (default: the only non-O tag)." };
        var optimizer = new Option<OptimizerKind>("--optimizer") { Description = "sgd or adagrad.", DefaultValueFactory = _ => d.Optimizer };
        var lr = new Option<double>("--lr") { Description = "Learning rate α.", DefaultValueFactory = _ => d.LearningRate };
        var lrDecay = new Option<double>("--lr-decay") { Description = "α_t = α / (1 + decay · (epoch − 1)).", DefaultValueFactory = _ => d.LearningRateDecay };
        var l2 = new Option<double>("--l2") { Description = "λ of the L2 term λ/2 Σ‖W‖² (biases and embeddings excluded).", DefaultValueFactory = _ => d.L2 };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training data.", DefaultValueFactory = _ => d.Epochs };
        var batch = new Option<int>("--batch") { Description = "Windows per update (1 = PA4's SGD).", DefaultValueFactory = _ => d.Batch };
        var patience = new Option<int>("--patience") { Description = "Stop after this many epochs without a better dev F1 (0 = never).", DefaultValueFactory = _ => d.Patience };
        var fix = new Option<bool>("--fix-embeddings") { Description = "Keep the word vectors fixed." };
        var noLower = new Option<bool>("--keep-case") { Description = "Do not lowercase words before the vocabulary lookup." };
        var seed = new Option<int>("--seed") { Description = "Random seed (initialisation and shuffling).", DefaultValueFactory = _ => d.Seed };
        var threads = Cli.Threads(Environment.ProcessorCount);
        var hogwild = new Option<bool>("--hogwild") { Description = "Batch-1 SGD on --threads threads at once, lock-free (HOGWILD!, Recht et al. 2011); not deterministic for more than one thread. Needs --batch 1 --optimizer sgd, a softmax or sigmoid head, no --l2, dropout or --clip." };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run from MODEL.ckpt (same options)." };
        var caps = new Option<bool>("--caps") { Description = "Add a capitalisation feature (lower, Title, UPPER, mIxed, digits, other) of the original-case word." };
        var prefixes = new Option<string?>("--prefix") { Description = "Lowercased prefix lengths with their own embeddings, e.g. 3 or 2,3 (\"none\": no prefixes)." };
        var suffixes = new Option<string?>("--suffix") { Description = "Lowercased suffix lengths with their own embeddings, e.g. 2,3 (\"none\": no suffixes)." };
        var gazetteers = new Option<string?>("--gazetteers") { Description = "Directory of gazetteer lists (TYPE<TAB>entry lines, or one entry per line typed by the file name): B/I/none features per type (\"none\": no gazetteers)." };
        var featureDim = new Option<string?>("--feature-dims") { Description = "Embedding sizes of caps, affix and gazetteer features, e.g. 5,10,4." };
        var inputDropout = new Option<double>("--input-dropout") { Description = "Dropout on the window input.", DefaultValueFactory = _ => d.InputDropout };
        var hiddenDropout = new Option<double>("--hidden-dropout") { Description = "Dropout on the hidden layers' outputs.", DefaultValueFactory = _ => d.HiddenDropout };
        var clip = new Option<double>("--clip") { Description = "Clip each update's gradient to this L2 norm (0 = off).", DefaultValueFactory = _ => d.ClipNorm };
        var repair = new Option<bool>("--repair-glued") { Description = "Split POS tags glued to the word on lines one column short (CoNLL-2002 Dutch), warning for each." };
        var engine = new Option<string>("--engine") { Description = "Gradient engine: manual (hand-derived, fast) or graph (the computation graph, Nerve.Autodiff).", DefaultValueFactory = _ => "manual" };
        engine.AcceptOnlyFromAmong("manual", "graph");
        var config = new Option<string?>("--config") { Description = "JSON file of training options (keys are these option names without --; paths relative to the repository root); flags given here override it." };
        var cmd = new Command("train", "Train a window network on a tagged corpus; prints loss, train F1 and dev F1 per epoch.")
        {
            train, dev, model, format, tagColumn, embeddings, vocab, dim, minCount, window, hidden, activation, output, positive,
            optimizer, lr, lrDecay, l2, epochs, batch, patience, fix, noLower, seed, threads, hogwild, resume,
            caps, prefixes, suffixes, gazetteers, featureDim, inputDropout, hiddenDropout, clip, engine, repair, config,
        };
        cmd.SetAction(parsed => Cli.Guard(() =>
        {
            var r = ConfigFile.Apply(cmd, parsed, config);
                        if (r.GetValue(train) is null) throw new NerveException("--train is required (on the command line or in --config)");
            if (r.GetValue(model) is null) throw new NerveException("--model is required");
            var fd = r.GetValue(featureDim) is { } fdText ? Cli.ParseSizes(fdText, "--feature-dims") : [5, 10, 4];
            if (fd.Length != 3) throw new NerveException("--feature-dims: expected three sizes (caps, affix, gazetteer), e.g. 5,10,4");
            var job = new TrainJobOptions
            {
                TrainPath = r.GetValue(train)!,
                DevPath = r.GetValue(dev),
                ModelPath = r.GetValue(model)!,
                Format = r.GetValue(format),
                TagColumn = r.GetValue(tagColumn),
                EmbeddingsPath = Cli.None(r.GetValue(embeddings)),
                VocabPath = r.GetValue(vocab),
                Dim = r.GetValue(dim),
                MinCount = r.GetValue(minCount),
                Window = r.GetValue(window),
                Hidden = Cli.ParseSizes(r.GetValue(hidden)!, "--hidden"),
                Activation = r.GetValue(activation),
                Output = r.GetValue(output),
                Positive = r.GetValue(positive),
                Lowercase = !r.GetValue(noLower),
                Resume = r.GetValue(resume),
                GraphEngine = r.GetValue(engine) == "graph",
                RepairGlued = r.GetValue(repair),
                Features = new Nerve.Features.FeatureOptions
                {
                    Caps = r.GetValue(caps),
                    Prefixes = Cli.None(r.GetValue(prefixes)) is { } p ? Cli.ParseSizes(p, "--prefix") : [],
                    Suffixes = Cli.None(r.GetValue(suffixes)) is { } sfx ? Cli.ParseSizes(sfx, "--suffix") : [],
                    Gazetteers = Cli.None(r.GetValue(gazetteers)),
                    CapsDim = fd[0],
                    AffixDim = fd[1],
                    GazetteerDim = fd[2],
                },
                Training = new TrainOptions
                {
                    Optimizer = r.GetValue(optimizer),
                    LearningRate = r.GetValue(lr),
                    LearningRateDecay = r.GetValue(lrDecay),
                    L2 = r.GetValue(l2),
                    Epochs = r.GetValue(epochs),
                    Batch = r.GetValue(batch),
                    Patience = r.GetValue(patience),
                    FixEmbeddings = r.GetValue(fix),
                    Seed = r.GetValue(seed),
                    Threads = r.GetValue(threads),
                    Hogwild = r.GetValue(hogwild),
                    InputDropout = r.GetValue(inputDropout),
                    HiddenDropout = r.GetValue(hiddenDropout),
                    ClipNorm = r.GetValue(clip),
                },
            };
            foreach (var path in new[] { job.TrainPath, job.DevPath, job.EmbeddingsPath, job.VocabPath })
                if (path is not null && !File.Exists(path)) throw new NerveException($"{path}: file not found");
            if (job.Features.Gazetteers is { } gz && !Directory.Exists(gz)) throw new NerveException($"{gz}: gazetteer directory not found");
            return Run(job);
        }));
        return cmd;
    }

    /// <summary>Trains with progress and Ctrl+C handling; shared with `nerve demo`.</summary>
    public static int Run(TrainJobOptions job)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var (_, result) = TrainingProgress.Run(obs => TrainJob.Run(job, obs, Console.Out, w => Console.Error.WriteLine("nerve: warning: " + w), cancel.Token));
            if (result.Interrupted)
            {
                Console.Error.WriteLine($"nerve: interrupted; state saved to {TrainJob.CheckpointPath(job.ModelPath)}; run the same command with --resume to continue");
                return 130;
            }
            Console.WriteLine($"best epoch {result.BestEpoch}: {(job.DevPath is null ? "train" : "dev")} F1 {Cli.F(result.BestF1)}; model saved to {job.ModelPath} ({Cli.F(result.Elapsed.TotalSeconds, "F1")} s)");
            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
