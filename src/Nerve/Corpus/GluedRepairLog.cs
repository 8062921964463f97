namespace Nerve.Corpus;

/// <summary>
/// Collects the repairs <see cref="CorpusReader.Read(string, CorpusFormat, int?, bool, Action{string}?)"/> reports for
/// glued POS tags and turns them into warnings: the first few in full, then a count.
/// </summary>
public sealed class GluedRepairLog
{
    private readonly List<string> _repairs = [];

    /// <summary>Pass this as the reader's repairGlued callback.</summary>
    public void Add(string repair) => _repairs.Add(repair);

    public int Count => _repairs.Count;

    /// <summary>Writes nothing when nothing was repaired.</summary>
    public void Report(Action<string> warn, int shown = 3)
    {
        if (_repairs.Count == 0) return;
        foreach (var r in _repairs.Take(shown)) warn(r);
        warn($"repaired {_repairs.Count} line(s) with a POS tag glued to the word" + (_repairs.Count > shown ? $" ({_repairs.Count - shown} more not shown)" : ""));
    }
}
