using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using Nerve.Corpus;
using Nerve.Features;
using Nerve.Model;

namespace Nerve.Tagging;

/// <summary>
/// What <see cref="ColumnTagger.Tag"/> read: tokens, sentences, document separators, and the layout (null for a file
/// without tokens). Documents counts -DOCSTART- lines as the reader does; with <see cref="DocumentSeparator.Blank2"/> a
/// blank run at which the stream was cut into chunks is not counted (each chunk is counted on its own).
/// </summary>
public sealed record ColumnTagResult(long Tokens, long Sentences, long Documents, ColumnLayout? Layout);

/// <summary>
/// Tags a column file as a stream, with the output of <see cref="CorpusWriter.Write(TextWriter, IReadOnlyList{Sentence}, IReadOnlyList{string[]}, char, bool)"/>
/// after <see cref="CorpusReader"/> and <see cref="NerModel.Predict"/>, reading lines with the same <see cref="ColumnLineParser"/>
/// and writing them with the same <see cref="ColumnWriter"/>: each token line's columns (the gold tag moved
/// last), then the predicted tag; a blank line after each sentence. The input is cut into chunks of whole sentences
/// (<see cref="ColumnChunkReader"/>); <c>threads</c> workers each parse, featurize, tag and format a chunk, straight
/// from its characters (no string per token), and the chunks are written in input order while later ones are tagged.
/// Memory stays bounded by the chunks in flight. The output does not depend on the number of threads. The first-layer
/// cache (<see cref="NerModel.CreateTagger()"/>) is shared by the workers and takes each row the first time one uses it.
/// A bad line stops the run with the <see cref="NerveDataException"/> <see cref="CorpusReader"/> gives for it; the chunks
/// before it have been written by then.
/// </summary>
public static class ColumnTagger
{
    public static ColumnTagResult Tag(NerModel model, TextReader input, string name, Stream output, CorpusFormat format = CorpusFormat.Auto, int? tagColumn = null, int threads = 1, int chunkChars = 1 << 19,
        DocumentSeparator separator = DocumentSeparator.DocStart)
    {
        threads = Math.Max(1, threads);
        var chunks = new ColumnChunkReader(input, chunkChars, wholeDocuments: model.Featurizer.HasDocumentContext, separator);
        var tagger = model.CreateTagger();
        var idle = new ConcurrentBag<Worker>();
        var pending = new Queue<Task<Worker.Output>>();
        ColumnLayout? layout = null;
        long tokens = 0, sentences = 0, documents = 0;

        void WriteNext()
        {
            var o = pending.Dequeue().GetAwaiter().GetResult();
            try
            {
                output.Write(o.Bytes, 0, o.Length);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(o.Bytes);
            }
            tokens += o.Tokens;
            sentences += o.Sentences;
            documents += o.Documents;
        }

        try
        {
            while (chunks.Next(out var chunk))
            {
                layout ??= FirstLayout(chunk, name, format, tagColumn);
                if (layout is null)
                {
                    chunk.Release(); // blank lines only, nothing to write
                    continue;
                }
                var (l, c) = (layout, chunk);
                while (pending.Count >= threads) WriteNext(); // at most `threads` chunks in flight
                pending.Enqueue(Task.Run(() =>
                {
                    var w = idle.TryTake(out var free) ? free : new Worker(model, tagger, separator);
                    try
                    {
                        return w.Process(c, l, name);
                    }
                    finally
                    {
                        c.Release();
                        idle.Add(w);
                    }
                }));
            }
            while (pending.Count > 0) WriteNext();
        }
        finally
        {
            // After an error, let the chunks in flight finish (their buffers go back to the pools) before reporting it.
            foreach (var t in pending)
            {
                try
                {
                    ArrayPool<byte>.Shared.Return(t.GetAwaiter().GetResult().Bytes);
                }
                catch (NerveException)
                {
                    // Only the first error in input order is reported.
                }
            }
        }
        output.Flush();
        return new ColumnTagResult(tokens, sentences, documents, layout);
    }

    /// <summary>The layout from the chunk's first token line, null when it has none.</summary>
    private static ColumnLayout? FirstLayout(ColumnChunk chunk, string name, CorpusFormat format, int? tagColumn)
    {
        var parser = new ColumnLineParser(name, format, tagColumn, requireTags: false);
        Span<Range> fields = stackalloc Range[ColumnLayout.MaxColumns];
        var lines = new TextLines(chunk.Text);
        long lineNo = chunk.FirstLine - 1;
        while (parser.Layout is null && lines.Next(out var line, out _))
            parser.Parse(ref line, ++lineNo, fields, out _);
        return parser.Layout;
    }

    /// <summary>One worker's state, reused from chunk to chunk: the word memo, the ids and the tagger's buffers.</summary>
    private sealed class Worker(NerModel model, WindowTagger tagger, DocumentSeparator separator)
    {
        public readonly record struct Output(byte[] Bytes, int Length, int Tokens, int Sentences, int Documents);

        private readonly Featurizer _featurizer = model.Featurizer;
        private readonly WordMemo _memo = new(model.Featurizer.WordLevelCount);
        private readonly List<int> _lengths = [];
        private readonly List<string> _sentence = []; // the words of the current sentence, for the gazetteers
        private readonly List<string[]> _sentences = []; // with document features: every sentence's words
        private readonly List<int> _documentOf = [];     // and the document separators before it in the chunk
        private int[] _ids = new int[1 << 16];      // (tokens, F)
        private int[] _lines = new int[1 << 13];    // per token: where its line starts and its length, negated when the columns must be rejoined
        private int[] _classes = [];
        private float[] _confidence = [];
        private readonly ColumnWriter _out = new('\t');
        private WindowTagger.Buffers? _buffers;
        private WindowSet? _windows; // the last chunk's, whose storage the next one takes over

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Output Process(ColumnChunk chunk, ColumnLayout layout, string name)
        {
            var text = chunk.Text;
            int f = _featurizer.Count, own = _featurizer.WordLevelCount, tokens = 0, sentenceStart = 0;
            var documents = new DocumentCounter(separator);
            bool gazetteers = _featurizer.Gazetteer is not null, context = _featurizer.HasDocumentContext;
            Span<Range> fields = stackalloc Range[ColumnLayout.MaxColumns];
            var parser = new ColumnLineParser(name, layout);
            _lengths.Clear();
            _sentence.Clear();
            _sentences.Clear();
            _documentOf.Clear();

            void EndSentence(int end)
            {
                if (end == sentenceStart) return;
                if (gazetteers)
                    _featurizer.FeaturizeGazetteers(_sentence, _ids.AsSpan(sentenceStart * f, (end - sentenceStart) * f));
                if (context)
                {
                    _sentences.Add([.. _sentence]);
                    _documentOf.Add(documents.Documents);
                }
                _sentence.Clear();
                _lengths.Add(end - sentenceStart);
                sentenceStart = end;
            }

            // 1. Parse and featurize: the ids of every token, and where its line is.
            var lines = new TextLines(text);
            long lineNo = chunk.FirstLine - 1;
            while (lines.Next(out var line, out int start))
            {
                var kind = parser.Parse(ref line, ++lineNo, fields, out int n);
                if (kind != ColumnLineKind.Token)
                {
                    documents.Separator(kind);
                    EndSentence(tokens);
                    continue;
                }
                documents.Token();
                var word = line[fields[0]];
                Grow(ref _ids, (tokens + 1) * f);
                Grow(ref _lines, 2 * (tokens + 1));
                _lines[2 * tokens] = start;
                _lines[2 * tokens + 1] = AsWritten(line, fields, n, layout) ? line.Length : ~line.Length;
                var row = _ids.AsSpan(tokens * f, own);
                if (!_memo.TryGet(word, row, out var known))
                {
                    known = word.ToString();
                    _featurizer.FeaturizeWord(known, row);
                    _memo.Add(known, row);
                }
                if (gazetteers || context) _sentence.Add(known);
                tokens++;
            }
            EndSentence(tokens);
            if (context) FeaturizeDocuments(f);

            // 2. Tag: whole sentences in batches, as NerModel.Classify does.
            var lengths = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_lengths);
            Grow(ref _classes, tokens);
            Grow(ref _confidence, tokens);
            if (tokens > 0)
            {
                _windows = WindowSet.Reuse(_windows, _ids.AsSpan(0, tokens * f), lengths, _featurizer, model.Config.Window);
                model.ClassifyRange(tagger, ref _buffers, _windows, 0, lengths.Length, _classes, _confidence);
            }

            // 3. Format: per token its line (columns rejoined only when needed), the predicted tag; a blank line per sentence.
            var labels = model.Config.Labels;
            bool convert = model.LabelScheme != model.Scheme;
            _out.Clear();
            _out.Delimiter = layout.Delimiter;
            int at = 0, first = 0;
            foreach (int count in lengths)
            {
                string[]? converted = convert ? model.SentenceTags(_classes.AsSpan(first, count)) : null; // else the labels are the tags
                for (int i = 0; i < count; i++)
                {
                    int t = first + i, lineLength = _lines[2 * t + 1];
                    var line = text.Slice(_lines[2 * t], lineLength >= 0 ? lineLength : ~lineLength);
                    if (lineLength >= 0) _out.Column(line);
                    else Rejoin(line, layout, fields);
                    _out.EndToken(converted is null ? labels[_classes[t]] : converted[i]);
                }
                _out.EndSentence();
                first += count;
                at++;
            }
            var written = _out.Text;
            var bytes = ArrayPool<byte>.Shared.Rent(Math.Max(1, Encoding.UTF8.GetMaxByteCount(written.Length)));
            int byteCount = Text.Utf8Escapes.GetBytes(written, bytes); // invalid input bytes, escaped when read, are copied back
            return new Output(bytes, byteCount, tokens, at, documents.Documents);
        }

        /// <summary>The document ids of the chunk's sentences, document by document (the chunk holds whole documents).</summary>
        private void FeaturizeDocuments(int f)
        {
            var starts = new int[_sentences.Count + 1];
            for (int s = 0; s < _sentences.Count; s++) starts[s + 1] = starts[s] + _sentences[s].Length;
            for (int a = 0, b; a < _sentences.Count; a = b)
            {
                for (b = a + 1; b < _sentences.Count && _documentOf[b] == _documentOf[a]; b++) { }
                int first = a;
                _featurizer.FeaturizeDocument(_sentences.GetRange(a, b - a),
                    s => _ids.AsSpan(starts[first + s] * f, _sentences[first + s].Length * f));
            }
        }

        /// <summary>Whether the output's columns are the line as it stands: the tag (if any) last, and fields one delimiter apart.</summary>
        private static bool AsWritten(ReadOnlySpan<char> line, ReadOnlySpan<Range> fields, int n, ColumnLayout layout)
        {
            if (layout.TagIndex >= 0 && layout.TagIndex != n - 1) return false;
            if (fields[0].Start.Value != 0 || fields[n - 1].End.Value != line.Length) return false;
            for (int i = 1; i < n; i++)
                if (fields[i].Start.Value != fields[i - 1].End.Value + 1) return false;
            return true;
        }

        /// <summary>Writes the line's columns but the tag, then the gold tag.</summary>
        private void Rejoin(ReadOnlySpan<char> line, ColumnLayout layout, Span<Range> fields)
        {
            int n = CorpusReader.Split(line, layout.Delimiter, fields);
            for (int c = 0; c < n; c++)
                if (c != layout.TagIndex) _out.Column(line[fields[c]]);
            if (layout.TagIndex >= 0) _out.Column(line[fields[layout.TagIndex]]);
        }

        private static void Grow<T>(ref T[] a, int length)
        {
            if (length > a.Length) Array.Resize(ref a, Math.Max(length, 2 * a.Length));
        }
    }
}
