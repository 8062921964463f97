using Nerve.Corpus;

namespace Nerve.Jobs;

/// <summary>Reads a job's corpus in memory, reporting glued-tag repairs as warnings.</summary>
internal static class JobCorpus
{
    public static CorpusFile Read(JobInput input, CorpusFormat format, int? tagColumn, bool requireTags, bool repairGlued, IJobLog log,
        DocumentSeparator documents = DocumentSeparator.DocStart)
    {
        input.CheckExists();
        var repairs = new GluedRepairLog();
        Action<string>? repair = repairGlued ? repairs.Add : null;
        bool noGc = input.Path is not null && StartNoGcRegion(new FileInfo(input.Path).Length);
        CorpusFile corpus;
        try
        {
            corpus = input.Read(reader => CorpusReader.Read(reader, input.Name, format, tagColumn, requireTags, repair, documents));
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
        var check = new SchemeCheck();
        foreach (var s in corpus.Sentences) check.Add(s);
        check.Report(corpus.Path, scheme, strict, log);
    }

    /// <summary>
    /// Reads <paramref name="input"/> as a stream of batches of whole sentences, each handed to <paramref name="batch"/>
    /// and then dropped: a batch ends at a document separator once it holds <paramref name="tokens"/> tokens, and at any
    /// sentence end at four times that, so memory stays bounded whatever the input's length. Glued-tag repairs and scheme
    /// violations (against the scheme of the whole input) are reported at the end as <see cref="Read"/> and
    /// <see cref="CheckScheme"/> report them; an empty file is an error. Returns the scheme and the sentence count.
    /// </summary>
    public static (TagScheme Scheme, long Sentences) Stream(JobInput input, CorpusFormat format, int? tagColumn, bool repairGlued, bool strictScheme,
        IJobLog log, Action<IReadOnlyList<Sentence>> batch, int tokens = 1 << 14, DocumentSeparator separator = DocumentSeparator.DocStart)
    {
        input.CheckExists();
        var repairs = new GluedRepairLog();
        var check = new SchemeCheck();
        long sentences = 0;
        input.Read(reader =>
        {
            var stream = new CorpusReader.CorpusStream(reader, input.Name, format, tagColumn, requireTags: true, repairGlued ? repairs.Add : null, poolLimit: 1 << 16, separator);
            var pending = new List<Sentence>();
            int pendingTokens = 0, documents = 0;
            while (stream.Next(out var s))
            {
                bool newDocument = stream.Documents != documents;
                documents = stream.Documents;
                if (pendingTokens >= 4 * tokens || (newDocument && pendingTokens >= tokens))
                {
                    batch(pending);
                    pending = [];
                    pendingTokens = 0;
                }
                pending.Add(s);
                pendingTokens += s.Count;
                check.Add(s);
                sentences++;
            }
            if (pending.Count > 0) batch(pending);
            return 0;
        });
        repairs.Report(log.Warning);
        if (sentences == 0 && input.Path is not null)
            throw new NerveException($"{input.Path}: expected tagged sentences, found {(new FileInfo(input.Path).Length == 0 ? "an empty file" : "only blank lines")}");
        var scheme = check.Scheme;
        check.Report(input.Name, scheme, strictScheme, log);
        return (scheme, sentences);
    }

    /// <summary>The scheme of sentences fed one at a time, and the first tag each scheme does not allow where it stands.</summary>
    private sealed class SchemeCheck
    {
        private readonly SchemeDetector _detector = new();
        private readonly (int Count, long FirstLine, string First)[] _violations = new (int, long, string)[Enum.GetValues<TagScheme>().Length];
        private long _sentences;

        public TagScheme Scheme => _detector.Scheme;

        public void Add(Sentence s)
        {
            _detector.Add(s.Tags);
            _sentences++;
            foreach (var scheme in Enum.GetValues<TagScheme>())
            {
                int i = Tags.FirstViolation(s.Tags, scheme);
                if (i < 0) continue;
                ref var v = ref _violations[(int)scheme];
                if (v.Count++ > 0) continue;
                v.FirstLine = s.FirstLine + i;
                v.First = $"{NerveDataException.Quote(s.Tags[i])} after {(i > 0 ? NerveDataException.Quote(s.Tags[i - 1]) : "the sentence start")}{(i == s.Count - 1 && scheme == TagScheme.BIOES ? " at the sentence end" : "")}";
            }
        }

        /// <summary>
        /// With <paramref name="strict"/> the first violation of <paramref name="scheme"/> is an error at its line;
        /// otherwise one warning gives the count and the first.
        /// </summary>
        public void Report(string path, TagScheme scheme, bool strict, IJobLog? log)
        {
            var (count, firstLine, first) = _violations[(int)scheme];
            if (count == 0) return;
            if (strict) throw new NerveDataException(path, firstLine, $"a tag sequence valid in {scheme}", first);
            log?.Warning($"{path}:{firstLine}: {scheme} does not allow a tag where it stands in {count} of {_sentences} sentences, the first {first}; --strict-scheme makes this an error");
        }
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
