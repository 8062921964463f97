using Nerve.Corpus;

namespace Nerve.Jobs;

/// <summary>Reads a job's corpus in memory, reporting glued-tag repairs as warnings.</summary>
internal static class JobCorpus
{
    public static CorpusFile Read(JobInput input, CorpusFormat format, int? tagColumn, bool requireTags, bool repairGlued, IJobLog log)
    {
        input.CheckExists();
        var repairs = new GluedRepairLog();
        Action<string>? repair = repairGlued ? repairs.Add : null;
        bool noGc = input.Path is not null && StartNoGcRegion(new FileInfo(input.Path).Length);
        CorpusFile corpus;
        try
        {
            corpus = input.Read(reader => CorpusReader.Read(reader, input.Name, format, tagColumn, requireTags, repair));
        }
        finally
        {
            if (noGc && System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        }
        repairs.Report(log.Warning);
        return requireTags && input.Path is not null ? RequireSentences(corpus, input.Path) : corpus;
    }

    /// <summary>An empty file, or one of blank lines only, is an error naming which.</summary>
    public static CorpusFile RequireSentences(CorpusFile corpus, string path)
    {
        if (corpus.Sentences.Count > 0) return corpus;
        bool empty = new FileInfo(path).Length == 0;
        throw new NerveException($"{path}: expected tagged sentences, found {(empty ? "an empty file" : "only blank lines")}");
    }

    /// <summary>
    /// Reading keeps all it allocates (a string per distinct value, three arrays per sentence), so every collection during
    /// it copies the whole corpus so far. The budget is a guess from the file size: if reading needs more, the runtime
    /// simply ends the region and collects as usual.
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
}
