using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Nerve.Corpus;
using Nerve.IO;
using Nerve.Jobs;
using Nerve.Model;
using Nerve.Tagging;

namespace Nerve.Cli;

/// <summary>Shared option definitions and the error boundary of every command.</summary>
internal static class Cli
{
    /// <summary>Runs a command body; a <see cref="NerveException"/> or I/O error becomes one line on stderr and exit code 1.</summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (NerveException e)
        {
            Console.Error.WriteLine("nerve: " + e.Message);
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine("nerve: " + e.Message);
            return 1;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("nerve: interrupted");
            return 130;
        }
    }

    /// <summary>Set by a command that turns Ctrl+C into a clean stop of its own (train saves a checkpoint and exits).</summary>
    public static bool InterruptHandled { get; set; }

    /// <summary>
    /// SIGINT and SIGTERM end the process; first they delete the temporary files of writes in progress
    /// (<see cref="AtomicFile.DeletePending"/>), so an interrupted command leaves what was there before.
    /// </summary>
    public static IDisposable RemoveTemporariesOnSignal()
    {
        var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ =>
        {
            if (!InterruptHandled) AtomicFile.DeletePending();
        });
        var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => AtomicFile.DeletePending());
        return new Registrations(interrupt, terminate);
    }

    private sealed class Registrations(params IDisposable[] items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items) item.Dispose();
        }
    }

    public static Option<bool> NoVerify() => new("--no-verify")
    {
        Description = "Load the model without checking its SHA-256 (a damaged file is then used as it is).",
    };

    public static Option<CorpusFormat> Format() => new("--format")
    {
        Description = "Column layout: auto (detect), conll (word POS chunk NER), pa4 (word TAB label), columns (tag in the last column or --tag-column).",
        DefaultValueFactory = _ => CorpusFormat.Auto,
    };

    public static Option<int?> TagColumn() => new("--tag-column")
    {
        Description = "1-based column holding the tag (default: the last).",
    };

    public static Option<int> Threads(int fallback) => new("--threads")
    {
        Description = "Worker threads.",
        DefaultValueFactory = _ => fallback,
    };

    /// <summary>How much memory tagging may spend on cached first-layer products (<see cref="NerModel.PrecomputeBytes"/>).</summary>
    public static Option<int> CacheMb() => new("--cache-mb")
    {
        Description = "MB of first-layer products cached while tagging (Chen & Manning 2014 precomputation; exact); 0 = the plain forward.",
        DefaultValueFactory = _ => (int)(NerModel.DefaultPrecomputeBytes >> 20),
    };

    /// <summary>
    /// A list of sizes: "100,50", or one per token ("--hidden 100 50"); with <paramref name="allowNone"/>, "none" is
    /// the empty list. A null default leaves the option unset when not given.
    /// </summary>
    public static Option<int[]> Sizes(string name, string description, int[]? fallback, bool allowNone = false)
    {
        var option = new Option<int[]>(name)
        {
            Description = description,
            AllowMultipleArgumentsPerToken = true,
            CustomParser = result =>
            {
                try
                {
                    return result.Tokens.SelectMany(t => Jobs.Sizes.Parse(t.Value, name, allowNone)).ToArray();
                }
                catch (NerveException e)
                {
                    result.AddError(e.Message);
                    return [];
                }
            },
        };
        if (fallback is not null) option.DefaultValueFactory = _ => fallback;
        return option;
    }

    /// <summary>A path, or "-" for stdin.</summary>
    public static JobInput Input(string path) => path == "-" ? JobInput.FromStream(Console.OpenStandardInput(), "<stdin>") : JobInput.File(path);

    public static Option<bool> StrictScheme() => new("--strict-scheme")
    {
        Description = "A tag its scheme does not allow where it stands (I- after O in IOB2, I-X after B-Y) is an error at its line, not a warning.",
    };

    public static Option<string> DocSep()
    {
        var o = new Option<string>("--doc-sep")
        {
            Description = "What else starts a document (for --doc-context models): docstart (-DOCSTART- lines only) or blank2 (also two or more blank lines).",
            DefaultValueFactory = _ => DocumentSeparators.Name(DocumentSeparator.DocStart),
        };
        o.AcceptOnlyFromAmong(DocumentSeparators.Names);
        return o;
    }

    public static Option<bool> RepairGlued() => new("--repair-glued")
    {
        Description = "Split POS tags glued to the word on lines one column short (CoNLL-2002 Dutch), with a warning.",
    };

    public static string F(double v, string format = "F2") => v.ToString(format, CultureInfo.InvariantCulture);
}

/// <summary>A job's log on the console: its account on stdout, notes and warnings on stderr.</summary>
internal sealed class ConsoleJobLog : IJobLog
{
    public static readonly ConsoleJobLog Instance = new();

    public void Info(string line) => Console.WriteLine(line);

    public void Note(string message) => Console.Error.WriteLine("nerve: note: " + message);

    public void Warning(string message) => Console.Error.WriteLine("nerve: warning: " + message);
}
