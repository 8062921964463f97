using Nerve.Model;
using Nerve.Tagging;

namespace Nerve.Tests.Tagging;

/// <summary>The README's "Using Nerve from C#" example: its code is this file's, verbatim, and it runs.</summary>
[Trait("Category", "Acceptance")]
public class ReadmeExampleTests
{
    // README begin
    static void PrintEntities(string modelPath, IEnumerable<string> texts, TextWriter output)
    {
        var model = NerModel.Load(modelPath);             // one model, safe to share between threads
        var doc = model.Recognize("EU rejects German call to boycott British lamb.");
        foreach (var e in doc.Entities)                   // [Start, End) in UTF-16 units of doc.Text
            output.WriteLine($"{e.Label} {e.Start}-{e.End} {e.Text} {e.Score:F3}");
        foreach (var d in model.RecognizeMany(texts))     // batched through the model, streamed, in order
            output.WriteLine(string.Join(", ", d.Entities.Select(e => $"{e.Text}/{e.Label}")));
    }
    // README end

    private static string ExampleCode()
    {
        var lines = File.ReadAllLines(Path.Combine(Fixtures.Root(), "tests", "Nerve.Tests", "Tagging", "ReadmeExampleTests.cs"));
        int from = Array.FindIndex(lines, l => l.Trim() == "// README begin") + 1, to = Array.FindIndex(lines, l => l.Trim() == "// README end");
        return string.Concat(lines[from..to].Select(l => (l.Length >= 4 ? l[4..] : l.TrimStart()) + "\n"));
    }

    [Fact]
    public void The_readme_shows_this_code()
    {
        string readme = File.ReadAllText(Path.Combine(Fixtures.Root(), "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.Contains("```csharp\nusing Nerve.Model;\nusing Nerve.Tagging;\n\n" + ExampleCode() + "```\n", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void The_example_runs()
    {
        var output = new StringWriter { NewLine = "\n" };
        PrintEntities(SmallModel.Path, ["Angela Merkel visited Paris.", "", "Bill Clinton met Boris Yeltsin in Moscow."], output);
        var lines = output.ToString().Split('\n');
        Assert.Contains(lines, l => l.StartsWith("MISC 11-17 German 0.", StringComparison.Ordinal));
        Assert.Contains("Paris/LOC", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("\n\n", output.ToString(), StringComparison.Ordinal); // the empty text has no entities, and keeps its place
    }
}
