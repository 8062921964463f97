using System.CommandLine;
using Nerve.Jobs;
using Nerve.Model;
using Nerve.Training;

namespace Nerve.Cli;

/// <summary>`nerve train`: trains a window network and saves the best epoch by dev F1.</summary>
internal static class TrainCommand
{
    public static Command Create() => Create("train", "Train a window network on a tagged corpus; prints loss, train F1 and dev F1 per epoch.", [],
        (_, file, flags) => Run(Options(file, flags)));

    /// <summary>
    /// A command taking every `nerve train` option (and <paramref name="extra"/>), whose action gets the config file's
    /// settings (null without --config) and those of the flags given; shared with `nerve sweep`.
    /// </summary>
    public static Command Create(string name, string description, IReadOnlyList<Option> extra, Func<ParseResult, TrainSettings?, TrainSettings, int> action)
    {
        var d = new TrainOptions();
        var train = new Option<string[]>("--train") { Description = "Training corpus (required, here or in --config); several files, repeated or comma-separated, are read in order as one corpus.", AllowMultipleArgumentsPerToken = false };
        var dev = new Option<string?>("--dev") { Description = "Development corpus: scored every epoch; the best epoch is kept." };
        var model = new Option<string>("--model") { Description = "Where to write the model (safetensors; required)." };
        var format = Cli.Format();
        var tagColumn = Cli.TagColumn();
        var embeddings = new Option<string?>("--embeddings") { Description = "Pretrained word vectors: word2vec/GloVe/fastText text (plain or .gz), or PA4's wordVectors.txt with --vocab; \"none\" turns off the config's." };
        var vocab = new Option<string?>("--vocab") { Description = "PA4 vocab.txt, one word per line, matching --embeddings line by line." };
        var dim = new Option<int>("--dim") { Description = "Word vector dimension without --embeddings.", DefaultValueFactory = _ => 50 };
        var minCount = new Option<int>("--min-count") { Description = "Training words seen fewer times (and not in the vectors) become UUUNKKK.", DefaultValueFactory = _ => 2 };
        var window = new Option<int>("--window") { Description = "Window size C (odd).", DefaultValueFactory = _ => 5 };
        var hidden = Cli.Sizes("--hidden", "Hidden layer sizes, e.g. 100 or 100,50.", [100]);
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
        var prefixes = Cli.Sizes("--prefix", "Lowercased prefix lengths with their own embeddings, e.g. 3 or 2,3 (\"none\": no prefixes).", null, allowNone: true);
        var suffixes = Cli.Sizes("--suffix", "Lowercased suffix lengths with their own embeddings, e.g. 2,3 (\"none\": no suffixes).", null, allowNone: true);
        var gazetteers = new Option<string?>("--gazetteers") { Description = "Directory of gazetteer lists (TYPE<TAB>entry lines, or one entry per line typed by the file name): B/I/none features per type (\"none\": no gazetteers)." };
        var featureDim = Cli.Sizes("--feature-dims", "Embedding sizes of caps, affix and gazetteer features, e.g. 5,10,4.", null);
        var inputDropout = new Option<double>("--input-dropout") { Description = "Dropout on the window input.", DefaultValueFactory = _ => d.InputDropout };
        var hiddenDropout = new Option<double>("--hidden-dropout") { Description = "Dropout on the hidden layers' outputs.", DefaultValueFactory = _ => d.HiddenDropout };
        var clip = new Option<double>("--clip") { Description = "Clip each update's gradient to this L2 norm (0 = off).", DefaultValueFactory = _ => d.ClipNorm };
        var average = new Option<double>("--average") { Description = "Score and keep an exponential moving average of the parameters (Polyak averaging) with this decay, updated every 16 training units, e.g. 0.999 (0 = off).", DefaultValueFactory = _ => d.Average };
        var repair = new Option<bool>("--repair-glued") { Description = "Split POS tags glued to the word on lines one column short (CoNLL-2002 Dutch), warning for each." };
        var strict = Cli.StrictScheme();
        var engine = new Option<string>("--engine") { Description = "Gradient engine: manual (hand-derived, fast) or graph (the computation graph, Nerve.Autodiff).", DefaultValueFactory = _ => "manual" };
        engine.AcceptOnlyFromAmong("manual", "graph");
        var charCnn = new Option<bool>("--char-cnn") { Description = "Add a character-level convolution (CharWNN, dos Santos & Guimarães 2015) of the original-case word to every window slot." };
        var charDim = new Option<int>("--char-dim") { Description = "Character embedding size of --char-cnn.", DefaultValueFactory = _ => new Nerve.Features.CharOptions().Dim };
        var charFilters = new Option<int>("--char-filters") { Description = "Filters of --char-cnn: the size of its per-word feature.", DefaultValueFactory = _ => new Nerve.Features.CharOptions().Filters };
        var charWidth = new Option<int>("--char-width") { Description = "Characters per convolution window of --char-cnn.", DefaultValueFactory = _ => new Nerve.Features.CharOptions().Width };
        var docContext = new Option<int>("--doc-context") { Description = "Embedding size of two non-local document features (Ratinov & Roth 2009): the case of the word's other occurrences in its document and whether they start a capitalised sequence; 0 for none. Documents are -DOCSTART- runs (and with --doc-sep blank2 runs between two blank lines), or one input text.", DefaultValueFactory = _ => 0 };
        var subwords = new Option<string?>("--subwords") { Description = "Character n-gram rows from `nerve embed --subwords` (with --embeddings): words without a vector get the mean of their n-grams' rows, as fastText composes them, at training and tagging; \"none\" turns off the config's." };
        var charMax = new Option<int>("--char-max") { Description = "Character ids per word for --char-cnn, <w> and </w> included; longer words keep their first and last characters.", DefaultValueFactory = _ => new Nerve.Features.CharOptions().MaxLength };
        var docSep = Cli.DocSep();
        var config = new Option<string?>("--config") { Description = "JSON file of training options (keys are these option names without --; paths relative to the repository root); flags given here override it." };
        var cmd = new Command(name, description)
        {
            train, dev, model, format, tagColumn, embeddings, vocab, dim, minCount, window, hidden, activation, output, positive,
            optimizer, lr, lrDecay, l2, epochs, batch, patience, fix, noLower, seed, threads, hogwild, resume,
            caps, prefixes, suffixes, gazetteers, featureDim, inputDropout, hiddenDropout, clip, average, engine, repair, charCnn, charDim, charFilters, charWidth, charMax, docContext, docSep, subwords, strict, config,
        };
        foreach (var option in extra) cmd.Options.Add(option);
        cmd.SetAction(r => Cli.Guard(() =>
        {
            // Only the flags given on the command line: they override the config file, which overrides the defaults.
            T? Ref<T>(Option<T> o) where T : class? => r.GetResult(o) is { Implicit: false } ? r.GetValue(o) : null;
            T? Val<T>(Option<T> o) where T : struct => r.GetResult(o) is { Implicit: false } ? r.GetValue(o) : null;
            var flags = new TrainSettings
            {
                Train = Ref(train) is { } t ? TrainSettings.SplitPaths(t) : null,
                Dev = Ref(dev),
                Model = Ref(model),
                Format = Val(format),
                TagColumn = r.GetValue(tagColumn),
                Embeddings = Ref(embeddings),
                Vocab = Ref(vocab),
                Dim = Val(dim),
                MinCount = Val(minCount),
                Window = Val(window),
                Hidden = Ref(hidden),
                Activation = Val(activation),
                Output = Val(output),
                Positive = Ref(positive),
                Optimizer = Val(optimizer),
                LearningRate = Val(lr),
                LearningRateDecay = Val(lrDecay),
                L2 = Val(l2),
                Epochs = Val(epochs),
                Batch = Val(batch),
                Patience = Val(patience),
                FixEmbeddings = Val(fix),
                KeepCase = Val(noLower),
                Seed = Val(seed),
                Threads = Val(threads),
                Hogwild = Val(hogwild),
                Resume = Val(resume),
                Caps = Val(caps),
                Prefix = Ref(prefixes),
                Suffix = Ref(suffixes),
                Gazetteers = Ref(gazetteers),
                FeatureDims = Ref(featureDim),
                InputDropout = Val(inputDropout),
                HiddenDropout = Val(hiddenDropout),
                Clip = Val(clip),
                Average = Val(average),
                Engine = Ref(engine),
                RepairGlued = Val(repair),
                DocSep = r.GetResult(docSep) is { Implicit: false } ? r.GetValue(docSep) : null,
                CharCnn = Val(charCnn),
                CharDim = Val(charDim),
                CharFilters = Val(charFilters),
                CharWidth = Val(charWidth),
                CharMax = Val(charMax),
                DocContext = Val(docContext),
                Subwords = Ref(subwords),
                StrictScheme = Val(strict),
            };
            var file = r.GetValue(config) is { } path ? TrainConfig.Read(path) : null;
            return action(r, file, flags);
        }));
        return cmd;
    }

    /// <summary>The defaults of `nerve train` (all cores), then the config file's settings, then the flags'.</summary>
    public static TrainJobOptions Options(TrainSettings? file, TrainSettings? flags)
    {
        var o = new TrainJobOptions { TrainPath = "", ModelPath = "", Training = new TrainOptions { Threads = Environment.ProcessorCount } };
        if (file is not null) o = file.ApplyTo(o);
        if (flags is not null) o = flags.ApplyTo(o);
        return o;
    }

    /// <summary>Trains with progress and Ctrl+C handling; shared with `nerve demo`.</summary>
    public static int Run(TrainJobOptions job)
    {
        TrainJob.Validate(job);
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var (_, result) = TrainingProgress.Run(obs => TrainJob.Run(job, obs, ConsoleJobLog.Instance, cancel.Token));
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
