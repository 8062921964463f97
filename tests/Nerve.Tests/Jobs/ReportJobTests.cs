using System.Text.RegularExpressions;
using Nerve.Evaluation;
using Nerve.Jobs;

namespace Nerve.Tests.Jobs;

public sealed partial class ReportJobTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nerve-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_page_has_scores_confusion_curves_calibration_and_errors()
    {
        var train = Synthetic.Corpus(40, 1);
        var gold = Synthetic.Corpus(20, 2);
        var model = Synthetic.NewModel(train, 3); // untrained: it errs
        model.Info[TrainHistory.Key] = "[{\"epoch\":1,\"loss\":1.5,\"train_f1\":40,\"dev_f1\":35,\"best\":true},{\"epoch\":2,\"loss\":0.9,\"train_f1\":60,\"dev_f1\":50,\"best\":true}]";
        var e = ModelEvaluation.Run(model, gold, raw: false);

        var page = ReportJob.Build(model, gold, e, "m.nerve", "dev.txt", new ReportJobOptions { OutPath = Path.Combine(_dir, "r.html") });
        var written = page.Save(Path.Combine(_dir, "r.html"));
        string html = File.ReadAllText(written[0]);

        Assert.Equal(["r.html", "scores.svg", "confusion.svg", "learning-f1.svg", "learning-loss.svg", "calibration.svg"], written.Select(Path.GetFileName));
        Assert.Equal(["Scores", "Seen and unseen words", "Token confusion matrix", "Learning curves", "Calibration", "Errors"], H2().Matches(html).Select(m => m.Groups[1].Value));
        int labels = e.Tokens.Labels.Count;
        Assert.Equal(labels * labels, Regex.Count(File.ReadAllText(Path.Combine(_dir, "confusion.svg")), "class=\"cell\""));
        string f1 = File.ReadAllText(Path.Combine(_dir, "learning-f1.svg"));
        Assert.Equal(2, Regex.Count(f1, "class=\"series "));
        Assert.Equal(4, Regex.Count(f1, "class=\"point\""));
        Assert.Equal(3, Regex.Count(File.ReadAllText(Path.Combine(_dir, "scores.svg")), "class=\"series ")); // P, R, F
        Assert.Contains("<mark class=\"entity\"", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"caption\">gold</span>", html, StringComparison.Ordinal);
        Assert.True(html.IndexOf("caption\">gold", StringComparison.Ordinal) < html.IndexOf("caption\">predicted", StringComparison.Ordinal));
        Assert.Contains("does not record which words had vectors", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_without_history_says_so()
    {
        var model = Synthetic.NewModel(Synthetic.Corpus(40, 1), 3);
        var gold = Synthetic.Corpus(10, 2);
        var page = ReportJob.Build(model, gold, ModelEvaluation.Run(model, gold, raw: false), "m", "d", new ReportJobOptions { OutPath = "x.html" });
        Assert.Contains("holds no training history", page.ToHtml(), StringComparison.Ordinal);
        Assert.DoesNotContain(page.Charts, c => c.FileName.StartsWith("learning", StringComparison.Ordinal));
    }

    [Fact]
    public void A_model_with_word_sources_shows_coverage_and_the_breakdown()
    {
        var train = Synthetic.Corpus(40, 1);
        var gold = Synthetic.Corpus(10, 2);
        var model = Synthetic.NewModel(train, 3);
        model.Sources = Nerve.Features.WordSources.Build(model.Words, train, null);
        var e = ModelEvaluation.Run(model, gold, raw: false);
        var acc = new BreakdownAccumulator(model.Sources);
        for (int i = 0; i < gold.Count; i++) acc.Add(gold[i].Words, gold[i].Tags, e.Prediction.Tags[i]);
        var seen = acc.Result().Seen;
        string html = ReportJob.Build(model, gold, e, "m", "d", new ReportJobOptions { OutPath = "x.html" }).ToHtml();
        Assert.Contains("vocabulary coverage: 0.00% of tokens", html, StringComparison.Ordinal); // no pretrained vectors
        Assert.Contains($"<td>all words seen in training</td><td class=\"num\">{seen.Precision.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)}</td>", html, StringComparison.Ordinal);
        Assert.Contains("&gt;= 1 word without a vector", html, StringComparison.Ordinal);
    }

    [GeneratedRegex("<h2>([^<]*)</h2>")]
    private static partial Regex H2();
}
