namespace Nerve.Corpus;

/// <summary>
/// Collects the repairs <see cref="CorpusReader.Read(string, CorpusFormat, int?, bool, Action{string}?)"/> reports for
/// glued POS tags and turns them into warnings: the first few in full, then a count.
/// </summary>
public sealed class GluedRepairLog
{
    /// <summary>Most repairs kept in full: a stream of any length is counted, not held.</summary>
    public const int Kept = 16;

    private readonly List<string> _repairs = [];

    /// <summary>Pass this as the reader's repairGlued callback.</summary>
    public void Add(string repair)
    {
        if (_repairs.Count < Kept) _repairs.Add(repair);
        Count++;
    }

    public int Count { get; private set; }

    /// <summary>Writes nothing when nothing was repaired; shows at most <see cref="Kept"/>.</summary>
    public void Report(Action<string> warn, int shown = 3)
    {
        ArgumentNullException.ThrowIfNull(warn);
        if (Count == 0) return;
        shown = Math.Min(shown, Kept);
        foreach (var r in _repairs.Take(shown)) warn(r);
        warn($"repaired {Count} line(s) with a POS tag glued to the word" + (Count > shown ? $" ({Count - shown} more not shown)" : ""));
    }
}
