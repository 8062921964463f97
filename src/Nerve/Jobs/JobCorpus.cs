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

    /// <summary>
    /// Tags that <paramref name="scheme"/> does not allow where they stand (I- after O in IOB2, say): with
    /// <paramref name="strict"/> the first is an error at its line; otherwise one warning gives the count and the first.
    /// </summary>
    public static void CheckScheme(CorpusFile corpus, TagScheme scheme, bool strict, IJobLog? log)
    {
        int count = 0;
        long firstLine = 0;
        string first = "";
        foreach (var s in corpus.Sentences)
        {
            int i = Tags.FirstViolation(s.Tags, scheme);
            if (i < 0) continue;
            if (count++ > 0) continue;
            firstLine = s.FirstLine + i;
            first = $"{NerveDataException.Quote(s.Tags[i])} after {(i > 0 ? NerveDataException.Quote(s.Tags[i - 1]) : "the sentence start")}{(i == s.Count - 1 && scheme == TagScheme.BIOES ? " at the sentence end" : "")}";
            if (strict) throw new NerveDataException(corpus.Path, firstLine, $"a tag sequence valid in {scheme}", first);
        }
        if (count > 0)
            log?.Warning($"{corpus.Path}:{firstLine}: {scheme} does not allow a tag where it stands in {count} of {corpus.Sentences.Count} sentences, the first {first}; --strict-scheme makes this an error");
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
