using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Nerve.Evaluation;

/// <summary>
/// A byte-exact reimplementation of the CoNLL shared task scorer conlleval (Perl, version 2004-01-26):
/// each input line holds features separated by a delimiter, the last two being the gold and the
/// predicted tag; a blank line or a line starting with "-X-" ends a sentence.
/// </summary>
public static class ConllEval
{
    private const string Boundary = "-X-";

    /// <summary>Parses <c>[-r] [-d DELIM] [-o OTAG]</c> as the script does; -l (LaTeX) is not supported.</summary>
    /// <exception cref="NerveException">An unknown, unsupported or incomplete option, or a stray argument.</exception>
    public static ConllEvalOptions ParseArguments(IReadOnlyList<string> args)
    {
        var options = new ConllEvalOptions();
        int i = 0;
        while (i < args.Count && args[i].StartsWith('-'))
        {
            switch (args[i])
            {
                case "-r":
                    options = options with { Raw = true };
                    i++;
                    break;
                case "-d":
                    if (i + 1 >= args.Count)
                        throw new NerveException("conlleval: -d requires delimiter character");
                    options = options with { Delimiter = args[i + 1] };
                    CreateSplitter(options.Delimiter);
                    i += 2;
                    break;
                case "-o":
                    if (i + 1 >= args.Count)
                        throw new NerveException("conlleval: -o requires outside tag");
                    options = options with { OTag = args[i + 1] };
                    i += 2;
                    break;
                case "-l":
                    throw new NerveException("conlleval: -l (LaTeX output) is not supported");
                default:
                    throw new NerveException($"conlleval: unknown argument {args[i]}");
            }
        }
        if (i < args.Count)
            throw new NerveException($"conlleval: unexpected command line argument {args[i]}");
        return options;
    }

    /// <summary>
    /// The whole command: parses <paramref name="args"/>, then scores <paramref name="input"/>.
    /// Bad options are reported on <paramref name="error"/> with exit code 2.
    /// </summary>
    public static int Execute(IReadOnlyList<string> args, TextReader input, TextWriter output, TextWriter error)
    {
        ConllEvalOptions options;
        try
        {
            options = ParseArguments(args);
        }
        catch (NerveException e)
        {
            error.Write(e.Message + "\n");
            return 2;
        }
        return Run(input, output, error, options);
    }

    /// <summary>
    /// Scores the lines of <paramref name="input"/> and writes the script's report to <paramref name="output"/>;
    /// returns the script's exit code. Lines end at "\n" only (a "\r" stays part of the last field).
    /// </summary>
    public static int Run(TextReader input, TextWriter output, TextWriter error, ConllEvalOptions options)
    {
        Func<string, List<string>> split;
        try
        {
            split = CreateSplitter(options.Delimiter);
        }
        catch (NerveException e)
        {
            error.Write(e.Message + "\n");
            return 2;
        }

        var evaluator = new ConllEvaluator(options.Raw, options.OTag);
        int expectedLast = -1; // the script's $nbrOfFeatures: index of the last feature
        long lineNo = 0;
        foreach (var line in ReadLines(input))
        {
            lineNo++;
            var features = split(line);
            int last = features.Count - 1;
            if (expectedLast < 0)
            {
                expectedLast = last;
            }
            else if (expectedLast != last && features.Count != 0)
            {
                error.Write(string.Create(CultureInfo.InvariantCulture,
                    $"conlleval: line {lineNo}: unexpected number of features: {last + 1} ({expectedLast + 1})\n"));
                return 1;
            }
            if (features.Count == 0 || features[0] == Boundary)
            {
                evaluator.AddBoundary();
                continue;
            }
            if (features.Count < 2)
            {
                error.Write(string.Create(CultureInfo.InvariantCulture, $"conlleval: line {lineNo}: unexpected number of features in {NerveDataException.Quote(line)}\n"));
                return 255;
            }
            evaluator.Add(features[^2], features[^1]);
        }
        output.Write(evaluator.Result().Format());
        return 0;
    }

    /// <summary>
    /// Scores in-memory sentences exactly as <see cref="Run"/> scores them written one token per line,
    /// gold then predicted tag, with a blank line between sentences.
    /// </summary>
    public static ConllEvalResult Evaluate(IEnumerable<(IReadOnlyList<string> Gold, IReadOnlyList<string> Predicted)> sentences,
        bool raw = false, string oTag = "O")
    {
        var evaluator = new ConllEvaluator(raw, oTag);
        bool first = true;
        foreach (var (gold, predicted) in sentences)
        {
            if (gold.Count != predicted.Count)
                throw new ArgumentException($"a sentence has {gold.Count} gold but {predicted.Count} predicted tags", nameof(sentences));
            if (!first)
                evaluator.AddBoundary();
            first = false;
            for (int i = 0; i < gold.Count; i++)
                evaluator.Add(gold[i], predicted[i]);
        }
        return evaluator.Result();
    }

    // Perl's <STDIN> with chomp: lines end at "\n" only; a last line without "\n" still counts.
    private static IEnumerable<string> ReadLines(TextReader reader)
    {
        var buffer = new char[65536];
        var line = new StringBuilder();
        int n;
        while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            int start = 0;
            for (int i = 0; i < n; i++)
            {
                if (buffer[i] != '\n')
                    continue;
                line.Append(buffer, start, i - start);
                yield return line.ToString();
                line.Clear();
                start = i + 1;
            }
            line.Append(buffer, start, n - start);
        }
        if (line.Length > 0)
            yield return line.ToString();
    }

    // Perl's split(/DELIM/, line) with no limit: leading empty fields stay, trailing ones are dropped,
    // a match may not end where the current field starts, captured groups become fields.
    internal static Func<string, List<string>> CreateSplitter(string delimiter)
    {
        if (delimiter == " ")
            return line => DropTrailingEmpty([.. line.Split(' ')]);
        Regex regex;
        try
        {
            regex = new Regex(delimiter, RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            throw new NerveException($"conlleval: invalid delimiter {NerveDataException.Quote(delimiter)}: {e.Message}", e);
        }
        return line =>
        {
            var fields = new List<string>();
            int start = 0;
            while (start < line.Length)
            {
                var m = regex.Match(line, start);
                if (m.Success && m.Length == 0 && m.Index == start)
                    m = regex.Match(line, start + 1);
                if (!m.Success)
                    break;
                fields.Add(line[start..m.Index]);
                for (int g = 1; g < m.Groups.Count; g++)
                    fields.Add(m.Groups[g].Success ? m.Groups[g].Value : "");
                start = m.Index + m.Length;
            }
            fields.Add(line[start..]);
            return DropTrailingEmpty(fields);
        };
    }

    private static List<string> DropTrailingEmpty(List<string> fields)
    {
        int n = fields.Count;
        while (n > 0 && fields[n - 1].Length == 0)
            n--;
        fields.RemoveRange(n, fields.Count - n);
        return fields;
    }
}
