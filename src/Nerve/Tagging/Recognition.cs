using System.Globalization;
using System.Runtime.CompilerServices;
using Nerve.Corpus;
using Nerve.Model;
using Nerve.Text;

namespace Nerve.Tagging;

/// <summary>
/// Raw text in, entities and tokens out, with character offsets and probabilities: the library API behind
/// <c>nerve tag --output-format json</c>. Thread-safe: any number of threads may call these on one model at once; each
/// call works in buffers of its own, and the model's cache of first-layer products (<see cref="WindowTagger.FillOnUse"/>)
/// is shared and gives the same scores whichever thread filled it.
/// </summary>
public static class Recognition
{
    /// <summary>The key of <see cref="NerModel.Info"/> holding the temperature T fitted on dev (`nerve calibrate`).</summary>
    public const string TemperatureKey = "temperature";

    private static readonly ConditionalWeakTable<NerModel, WindowTagger> Taggers = [];

    /// <summary>The entities and tokens of <paramref name="text"/> (tokenized and split into sentences by <see cref="Tokenizer"/>).</summary>
    public static RecognizedDocument Recognize(this NerModel model, string text, RecognizeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(text);
        return new Recognizer(model, options).Recognize([text])[0];
    }

    /// <summary>
    /// <see cref="Recognize"/> for many texts, in order, batched through the model (<see cref="RecognizeOptions.BatchTokens"/>
    /// tokens at a time) and streamed: a text is read only when its batch is due, so the input may be of any length.
    /// </summary>
    public static IEnumerable<RecognizedDocument> RecognizeMany(this NerModel model, IEnumerable<string> texts, RecognizeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(texts);
        return Stream(new Recognizer(model, options), texts);

        static IEnumerable<RecognizedDocument> Stream(Recognizer recognizer, IEnumerable<string> texts)
        {
            var batch = new List<string>();
            int tokens = 0;
            foreach (var text in texts)
            {
                ArgumentNullException.ThrowIfNull(text, nameof(texts));
                batch.Add(text);
                tokens += text.Length / 6 + 1; // about a token per six characters: a bound on the batch, not its exact size
                if (tokens < recognizer.BatchTokens) continue;
                foreach (var d in recognizer.Recognize(batch)) yield return d;
                batch.Clear();
                tokens = 0;
            }
            if (batch.Count > 0)
                foreach (var d in recognizer.Recognize(batch)) yield return d;
        }
    }

    /// <summary>
    /// Tags sentences already tokenized (their words; any tags they carry are ignored): each token's tag in the corpus
    /// scheme and its probability, and the entities with theirs (<see cref="SpanConfidence"/>).
    /// </summary>
    public static SentenceAnnotation[] Annotate(this NerModel model, IReadOnlyList<Sentence> sentences)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sentences);
        return new Annotator(model).Annotate(sentences);
    }

    /// <summary>The temperature T by which the model's scores are divided before probabilities are taken (1 unless fitted).</summary>
    public static double Temperature(this NerModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Info.TryGetValue(TemperatureKey, out var v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double t) && t > 0 ? t : 1;
    }

    /// <summary>The model's tagger, made once per model at its first use (its cache sized by <see cref="NerModel.PrecomputeBytes"/> then).</summary>
    internal static WindowTagger SharedTagger(NerModel model) => Taggers.GetValue(model, m => m.CreateTagger());
}

/// <summary>One thread's recognizer: tokenizes texts, tags them together through an <see cref="Annotator"/> and builds documents.</summary>
internal sealed class Recognizer(NerModel model, RecognizeOptions? options)
{
    private readonly Annotator _annotator = new(model);
    private readonly RecognizeOptions _options = options ?? RecognizeOptions.Default;

    public int BatchTokens => Math.Max(1, _options.BatchTokens);

    /// <summary>The documents of <paramref name="texts"/>, tagged as one batch.</summary>
    public RecognizedDocument[] Recognize(IReadOnlyList<string> texts)
    {
        var tokenized = new List<List<TextToken>>[texts.Count];
        var sentences = new List<Sentence>();
        for (int d = 0, document = 0; d < texts.Count; d++)
        {
            tokenized[d] = Tokenizer.Sentences(texts[d]);
            var own = Sentences(texts[d], tokenized[d], _options.Documents, document);
            sentences.AddRange(own);
            document = (own.Count > 0 ? own[^1].Document : document) + 1;
        }
        var annotations = _annotator.Annotate(sentences);
        var docs = new RecognizedDocument[texts.Count];
        for (int d = 0, at = 0; d < texts.Count; d++)
        {
            docs[d] = Build(texts[d], tokenized[d], annotations.AsSpan(at, tokenized[d].Count), _options.Offsets);
            at += tokenized[d].Count;
        }
        return docs;
    }

    /// <summary>
    /// Sentences of the words of <paramref name="tokenized"/> (the sentences of <paramref name="text"/>): the text is
    /// document <paramref name="document"/>, or with <see cref="DocumentSeparator.Blank2"/> one document (numbered on
    /// from it) per run of text between two or more blank lines.
    /// </summary>
    internal static List<Sentence> Sentences(string text, List<List<TextToken>> tokenized, DocumentSeparator separator, int document = 0)
    {
        var starts = separator == DocumentSeparator.Blank2 ? Tokenizer.DocumentStarts(text) : [];
        var sentences = new List<Sentence>(tokenized.Count);
        int next = 0;
        foreach (var s in tokenized)
        {
            for (; next < starts.Count && s.Count > 0 && s[0].Start >= starts[next]; next++) document++;
            sentences.Add(Words(s, document));
        }
        return sentences;
    }

    /// <summary>A sentence of the tokens' words with placeholder tags, as the featurizer takes it.</summary>
    internal static Sentence Words(List<TextToken> tokens, int document = 0)
    {
        var words = new string[tokens.Count];
        var tags = new string[tokens.Count];
        for (int i = 0; i < words.Length; i++)
        {
            words[i] = tokens[i].Text;
            tags[i] = Tags.Outside;
        }
        return new Sentence(words, tags) { Document = document };
    }

    /// <summary>The document of <paramref name="text"/> from its sentences' tokens and their annotations.</summary>
    internal static RecognizedDocument Build(string text, List<List<TextToken>> sentences, ReadOnlySpan<SentenceAnnotation> annotations, OffsetUnit unit)
    {
        var flat = new List<TextToken>();
        foreach (var s in sentences) flat.AddRange(s);
        var codePoints = unit == OffsetUnit.CodePoints ? TextOffsets.ToCodePoints(text, flat) : null;
        var tokens = new RecognizedToken[flat.Count];
        var entities = new List<RecognizedEntity>();
        var starts = new int[sentences.Count];
        for (int si = 0, at = 0; si < sentences.Count; si++)
        {
            var a = annotations[si];
            starts[si] = at;
            for (int i = 0; i < a.Tags.Length; i++)
            {
                var t = flat[at + i];
                var (start, end) = codePoints is null ? (t.Start, t.End) : codePoints[at + i];
                tokens[at + i] = new RecognizedToken(start, end, t.Text, a.Tags[i], a.Scores[i]);
            }
            foreach (var e in a.Entities)
            {
                int from = flat[at + e.Start].Start, to = flat[at + e.End - 1].End;
                entities.Add(new RecognizedEntity(tokens[at + e.Start].Start, tokens[at + e.End - 1].End, e.Label, text[from..to], e.Score));
            }
            at += a.Tags.Length;
        }
        return new RecognizedDocument(text, entities, tokens) { SentenceStarts = starts };
    }
}

/// <summary>
/// Tags tokenized sentences in batches through the model's shared tagger, keeping the scores of each batch long enough
/// to take token and entity probabilities from them. One per thread: its buffers are reused from call to call.
/// </summary>
internal sealed class Annotator
{
    private readonly NerModel _model;
    private readonly WindowTagger _tagger;
    private readonly CrfHead<float>? _crf;
    private readonly SpanConfidence _spans;
    private readonly int _k;
    private readonly float _invT; // 1 / temperature
    private readonly float[] _a = [], _a0 = [], _an = []; // the CRF's transitions divided by T
    private WindowTagger.Buffers? _buffers;
    private float[] _alpha = [], _beta = [], _marginals = [], _scaled = [];
    private readonly float[] _scratch;
    private bool[] _allowed = [];

    /// <param name="model">The model.</param>
    /// <param name="temperature">T for the probabilities; null: the model's own (<see cref="Recognition.Temperature"/>).</param>
    public Annotator(NerModel model, double? temperature = null)
    {
        _model = model;
        _tagger = Recognition.SharedTagger(model);
        _crf = model.Network.Head as CrfHead<float>;
        _spans = new SpanConfidence(model);
        _k = model.Network.Head.Width;
        _invT = (float)(1 / (temperature ?? model.Temperature()));
        _scratch = new float[2 * _k];
        if (_crf is not null)
        {
            _a = Scaled(_crf.Transitions);
            _a0 = Scaled(_crf.Start);
            _an = Scaled(_crf.End);
        }
    }

    private float[] Scaled(ReadOnlySpan<float> v)
    {
        var r = v.ToArray();
        if (_invT != 1) for (int i = 0; i < r.Length; i++) r[i] *= _invT;
        return r;
    }

    /// <summary>The annotation of every sentence (batches of whole sentences, as <see cref="ModelTagging.Classify"/> packs them).</summary>
    public SentenceAnnotation[] Annotate(IReadOnlyList<Sentence> sentences)
    {
        var result = new SentenceAnnotation[sentences.Count];
        Run(sentences, (int i, ReadOnlySpan<float> s, ReadOnlySpan<int> classes, ReadOnlySpan<float> confidence) => result[i] = Finish(s, classes, confidence));
        return result;
    }

    /// <summary>Each sentence's scores s (n, K), decoded classes and their confidence: what <see cref="Finish"/> takes, kept to try temperatures.</summary>
    public (float[] Scores, int[] Classes, float[] Confidence)[] Lattices(IReadOnlyList<Sentence> sentences)
    {
        var result = new (float[], int[], float[])[sentences.Count];
        Run(sentences, (int i, ReadOnlySpan<float> s, ReadOnlySpan<int> classes, ReadOnlySpan<float> confidence) => result[i] = (s.ToArray(), classes.ToArray(), confidence.ToArray()));
        return result;
    }

    private delegate void SentenceSink(int sentence, ReadOnlySpan<float> scores, ReadOnlySpan<int> classes, ReadOnlySpan<float> confidence);

    /// <summary>Tags the sentences in batches and hands each one's scores and classes to <paramref name="sink"/>, in order.</summary>
    private void Run(IReadOnlyList<Sentence> sentences, SentenceSink sink, int batch = 256)
    {
        if (sentences.Count == 0) return;
        var windows = new Features.WindowSet(sentences, _model.Featurizer, _model.Config.Window);
        var starts = windows.SentenceStarts;
        int longest = 0;
        for (int s = 0; s < sentences.Count; s++) longest = Math.Max(longest, starts[s + 1] - starts[s]);
        int capacity = Math.Max(batch, longest);
        if (_buffers is null || _buffers.Workspace.MaxBatch < capacity || _buffers.Ids.Length < capacity * windows.WindowWidth)
            _buffers = _tagger.CreateBuffers(capacity, windows.WindowWidth);
        capacity = _buffers.Workspace.MaxBatch;
        var classes = new int[windows.Count];
        var confidence = new float[windows.Count];
        var ws = _buffers.Workspace;
        for (int s0 = 0; s0 < sentences.Count;)
        {
            int s1 = s0 + 1;
            while (s1 < sentences.Count && starts[s1 + 1] - starts[s0] <= capacity) s1++;
            int from = starts[s0], n = starts[s1] - from;
            if (n > 0)
            {
                var lengths = _buffers.Lengths;
                for (int s = s0; s < s1; s++) lengths[s - s0] = starts[s + 1] - starts[s];
                windows.GatherRange(from, n, _buffers.Ids);
                _tagger.Scores(_buffers, _buffers.Ids, n);
                _model.Network.DecodeSentences(ws, lengths.AsSpan(0, s1 - s0), classes.AsSpan(from, n), confidence.AsSpan(from, n));
            }
            for (int s = s0; s < s1; s++)
            {
                int at = starts[s], len = starts[s + 1] - at;
                sink(s, ws.S.AsSpan((at - from) * _k, len * _k), classes.AsSpan(at, len), confidence.AsSpan(at, len));
            }
            s0 = s1;
        }
    }

    /// <summary>A sentence's tags, token probabilities and entities from its scores s (n, K) and decoded classes.</summary>
    public SentenceAnnotation Finish(ReadOnlySpan<float> s, ReadOnlySpan<int> classes, ReadOnlySpan<float> confidence)
    {
        int n = classes.Length, k = _k;
        if (n == 0) return new SentenceAnnotation([], [], []);
        var tags = _model.SentenceTags(classes);
        var spans = Tags.ToSpans(tags, _model.Scheme);
        var scores = new float[n];
        var entities = new ScoredSpan[spans.Length];
        if (_crf is not null)
        {
            Reserve(n);
            if (_invT != 1)
            {
                for (int i = 0; i < n * k; i++) _scaled[i] = s[i] * _invT;
                s = _scaled.AsSpan(0, n * k);
            }
            var alpha = _alpha.AsSpan(0, n * k);
            var beta = _beta.AsSpan(0, n * k);
            var marginals = _marginals.AsSpan(0, n * k);
            float logZ = Crf<float>.Forward(marginals, alpha, beta, s, _a, _a0, _an, [], n, k, out _);
            for (int t = 0; t < n; t++) scores[t] = marginals[t * k + classes[t]];
            for (int e = 0; e < spans.Length; e++)
            {
                var span = spans[e];
                double p = 0;
                var (lo, hi) = _spans.Window(span.Start, span.End, n);
                if (_spans.Exact && _spans.Constrain(_allowed.AsSpan(0, (hi - lo) * k), span.Start, span.End, span.Type, lo, hi))
                {
                    float logZc = Crf<float>.ConstrainedLogZ(s, _a, _a0, alpha, beta, n, k, lo, _allowed.AsSpan(0, (hi - lo) * k), _scratch);
                    p = Math.Clamp(Math.Exp((double)logZc - logZ), 0, 1);
                }
                else if (!_spans.Exact)
                {
                    p = Product(scores, span);
                }
                entities[e] = new ScoredSpan(span.Start, span.End, span.Type, p);
            }
        }
        else
        {
            for (int t = 0; t < n; t++) scores[t] = _invT == 1 ? confidence[t] : WindowProbability(s.Slice(t * k, k), classes[t]);
            for (int e = 0; e < spans.Length; e++) entities[e] = new ScoredSpan(spans[e].Start, spans[e].End, spans[e].Type, Product(scores, spans[e]));
        }
        return new SentenceAnnotation(tags, scores, entities);
    }

    /// <summary>The softmax (or σ) probability of class c from one window's scores divided by T.</summary>
    private float WindowProbability(ReadOnlySpan<float> s, int c)
    {
        if (s.Length == 1)
        {
            double p1 = 1 / (1 + Math.Exp(-s[0] * _invT));
            return (float)(c == 1 ? p1 : 1 - p1);
        }
        float max = float.NegativeInfinity;
        foreach (float v in s) max = Math.Max(max, v * _invT);
        double sum = 0;
        foreach (float v in s) sum += Math.Exp(v * _invT - max);
        return (float)(Math.Exp(s[c] * _invT - max) / sum);
    }

    /// <summary>Π_{t ∈ span} p_t(ŷ_t): the softmax heads' entity score (see <see cref="SpanConfidence"/>).</summary>
    private static double Product(float[] scores, Corpus.Span span)
    {
        double p = 1;
        for (int t = span.Start; t < span.End; t++) p *= scores[t];
        return p;
    }

    /// <summary>Grows the lattice buffers to a sentence of <paramref name="n"/> tokens (doubling).</summary>
    private void Reserve(int n)
    {
        int len = n * _k;
        if (_alpha.Length >= len) return;
        len = Math.Max(len, 2 * _alpha.Length);
        _alpha = new float[len];
        _beta = new float[len];
        _marginals = new float[len];
        _scaled = new float[len];
        _allowed = new bool[len + 2 * _k];
    }
}
