using System.Text;
using Nerve.IO;

namespace Nerve.Corpus;

/// <summary>Writes tagged sentences back as column files.</summary>
public static class CorpusWriter
{
    /// <summary>
    /// CoNLL-style output (<see cref="ColumnWriter"/>): per token its original columns, the gold tag when <paramref name="keepGold"/>,
    /// then the predicted tag, joined by <paramref name="delimiter"/>; a blank line after each sentence.
    /// </summary>
    public static void Write(TextWriter writer, IReadOnlyList<Sentence> sentences, IReadOnlyList<string[]> predictions, char delimiter = '\t', bool keepGold = false)
    {
        CheckAligned(sentences, predictions);
        var output = new ColumnWriter(delimiter);
        for (var s = 0; s < sentences.Count; s++)
        {
            var sentence = sentences[s];
            var predicted = predictions[s];
            for (var i = 0; i < sentence.Count; i++)
            {
                foreach (var column in sentence.Row(i))
                    output.Column(column);
                if (keepGold)
                    output.Column(sentence.Tags[i]);
                output.EndToken(predicted[i]);
            }
            output.EndSentence();
            if (output.Length >= 1 << 15)
                output.FlushTo(writer);
        }
        output.FlushTo(writer);
    }

    /// <summary>
    /// Input for conlleval: "word gold predicted" separated by single spaces, a blank line after each sentence.
    /// Whitespace inside a word (possible in tab-separated corpora) becomes '_' so every line has 3 fields.
    /// </summary>
    public static void WriteConlleval(TextWriter writer, IReadOnlyList<Sentence> sentences, IReadOnlyList<string[]> predictions)
    {
        CheckAligned(sentences, predictions);
        for (var s = 0; s < sentences.Count; s++)
        {
            var sentence = sentences[s];
            var predicted = predictions[s];
            for (var i = 0; i < sentence.Count; i++)
            {
                var word = sentence.Words[i];
                if (word.AsSpan().IndexOfAny(' ', '\t') >= 0)
                    word = word.Replace(' ', '_').Replace('\t', '_');
                writer.Write(word);
                writer.Write(' ');
                writer.Write(sentence.Tags[i]);
                writer.Write(' ');
                writer.Write(predicted[i]);
                writer.Write('\n');
            }
            writer.Write('\n');
        }
    }

    /// <summary><see cref="Write(TextWriter, IReadOnlyList{Sentence}, IReadOnlyList{string[]}, char, bool)"/> to a file, replaced atomically.</summary>
    public static void Write(string path, IReadOnlyList<Sentence> sentences, IReadOnlyList<string[]> predictions, char delimiter = '\t', bool keepGold = false)
    {
        CheckAligned(sentences, predictions);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            Write(writer, sentences, predictions, delimiter, keepGold);
        });
    }

    /// <summary><see cref="WriteConlleval(TextWriter, IReadOnlyList{Sentence}, IReadOnlyList{string[]})"/> to a file, replaced atomically.</summary>
    public static void WriteConlleval(string path, IReadOnlyList<Sentence> sentences, IReadOnlyList<string[]> predictions)
    {
        CheckAligned(sentences, predictions);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            WriteConlleval(writer, sentences, predictions);
        });
    }

    private static void CheckAligned(IReadOnlyList<Sentence> sentences, IReadOnlyList<string[]> predictions)
    {
        if (sentences.Count != predictions.Count)
            throw new ArgumentException($"{sentences.Count} sentences but {predictions.Count} predictions", nameof(predictions));
        for (var s = 0; s < sentences.Count; s++)
        {
            if (sentences[s].Count != predictions[s].Length)
                throw new ArgumentException($"sentence {s} has {sentences[s].Count} tokens but {predictions[s].Length} predicted tags", nameof(predictions));
        }
    }
}
