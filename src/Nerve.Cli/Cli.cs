using System.CommandLine;
using System.Globalization;
using Nerve.Corpus;
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

    /// <summary>Applies --cache-mb to a loaded model; refuses a negative size.</summary>
    public static void SetCache(NerModel model, int megabytes)
    {
        if (megabytes < 0) throw new NerveException($"--cache-mb must be ≥ 0, found {megabytes}");
        model.PrecomputeBytes = (long)megabytes << 20;
    }

    /// <summary>An option value, or null when it is empty or "none" (how a flag switches off what a config file set).</summary>
    public static string? None(string? value) => string.IsNullOrWhiteSpace(value) || value == "none" ? null : value;

    /// <summary>"100,50" → [100, 50].</summary>
    public static int[] ParseSizes(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1)
                throw new NerveException($"{option}: expected comma-separated sizes ≥ 1 such as 100 or 100,50, found \"{text}\"");
        if (sizes.Length == 0) throw new NerveException($"{option}: expected at least one size, found \"{text}\"");
        return sizes;
    }

    /// <summary>Reads a corpus from a path or "-" (stdin).</summary>
    public static CorpusFile ReadCorpus(string path, CorpusFormat format, int? tagColumn, bool requireTags, bool repairGlued = false)
    {
        var repairs = new GluedRepairLog();
        Action<string>? repair = repairGlued ? repairs.Add : null;
        if (path != "-" && !File.Exists(path)) throw new NerveException($"{path}: file not found");
        CorpusFile corpus;
        bool noGc = path != "-" && StartNoGcRegion(new FileInfo(path).Length);
        try
        {
            corpus = path == "-" ? CorpusReader.Read(Console.In, "<stdin>", format, tagColumn, requireTags, repair) : CorpusReader.Read(path, format, tagColumn, requireTags, repair);
        }
        finally
        {
            if (noGc && System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        }
        repairs.Report(w => Console.Error.WriteLine("nerve: warning: " + w));
        return corpus;
    }

    /// <summary>
    /// Reading keeps all it allocates (a string per distinct value, three arrays per sentence), so every collection during it copies the
    /// whole corpus so far; without them a large file parses about twice as fast. The budget is a guess from the file
    /// size: if reading needs more, the runtime simply ends the region and collects as usual.
    /// </summary>
    private static bool StartNoGcRegion(long fileBytes)
    {
        try
        {
            return GC.TryStartNoGCRegion(Math.Clamp(fileBytes * 12, 16L << 20, 240L << 20));
        }
        catch (ArgumentOutOfRangeException)
        {
            return false; // more than this runtime allows in one region
        }
    }

    public static Option<bool> RepairGlued() => new("--repair-glued")
    {
        Description = "Split POS tags glued to the word on lines one column short (CoNLL-2002 Dutch), with a warning.",
    };

    public static string F(double v, string format = "F2") => v.ToString(format, CultureInfo.InvariantCulture);
}
