using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;
using Nerve.Evaluation;
using Nerve.Jobs;
using Nerve.Tests.Jobs;
using Nerve.Training;

namespace Nerve.Tests.Reports;

/// <summary>
/// Opens the pages of `nerve report`, `nerve tsne` and `nerve sweep` in headless Chromium (Debian's, installed with
/// apt-get when missing; Playwright drives it) and checks that they raise no console error and draw the expected
/// series and points. Screenshots go to screenshots/ in the test output folder.
/// </summary>
[Trait("Category", "Acceptance")]
public sealed class BrowserTests : IDisposable
{
    internal const string Chromium = "/usr/bin/chromium";
    private readonly string _dir = Directory.CreateTempSubdirectory("nerve-browser-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static string ScreenshotDir => Path.Combine(AppContext.BaseDirectory, "screenshots");

    [Fact]
    public async Task The_report_page_renders_without_errors()
    {
        var model = Synthetic.NewModel(Synthetic.Corpus(40, 1), 3);
        model.Info[TrainHistory.Key] = "[{\"epoch\":1,\"loss\":1.5,\"train_f1\":40,\"dev_f1\":35,\"best\":true},{\"epoch\":2,\"loss\":0.9,\"train_f1\":60,\"dev_f1\":50,\"best\":true}]";
        var gold = Synthetic.Corpus(20, 2);
        var e = ModelEvaluation.Run(model, gold, raw: false);
        string path = Path.Combine(_dir, "report", "report.html");
        ReportJob.Build(model, gold, e, "m.nerve", "dev", new ReportJobOptions { OutPath = path }).Save(path);
        int bins = Reliability.Bins([.. gold.Select(s => (IReadOnlyList<string>)s.Tags)], [.. e.Prediction.Tags],
            [.. e.Prediction.Confidence.Select(c => (IReadOnlyList<float>)c)], model.Scheme).Count(b => b.Count > 0);

        var charts = await Open(path, "report", dark: true);

        Assert.Equal((3, 0), charts["Precision, recall and F1 per type"]);
        Assert.Equal((2, 4), charts["F1 per epoch"]);
        Assert.Equal((1, 2), charts["Training loss per epoch"]);
        Assert.Equal((2, 2 + bins), charts["Reliability of predicted entities"]);
        Assert.True(charts.ContainsKey("Tokens by gold tag (rows) and predicted tag (columns)"));
    }

    [Fact]
    public async Task The_tsne_page_renders_without_errors()
    {
        string model = TsneJobTests.TrainWithVectors(_dir);
        string path = Path.Combine(_dir, "tsne", "tsne.html");
        TsneJob.Run(new TsneJobOptions { ModelPath = model, OutPath = path, Top = 20, Iterations = 300 });

        var charts = await Open(path, "tsne");

        Assert.Equal((3, 20), charts["Word vectors before training"]); // PER, LOC, O
        Assert.Equal((3, 20), charts["Word vectors after training"]);
    }

    [Fact]
    public async Task The_sweep_page_renders_without_errors()
    {
        string train = Path.Combine(_dir, "train.txt"), dev = Path.Combine(_dir, "dev.txt"), outDir = Path.Combine(_dir, "sweep");
        Synthetic.Write(train, Synthetic.Corpus(100, 1));
        Synthetic.Write(dev, Synthetic.Corpus(30, 2));
        SweepJob.Run(new SweepJobOptions
        {
            Base = new TrainJobOptions { TrainPath = train, DevPath = dev, ModelPath = "", Dim = 8, Hidden = [8], MinCount = 1, Training = new TrainOptions { Epochs = 2 } },
            Vary = [SweepAxis.Parse("window=3,5")],
            Cores = 1, OutDir = outDir,
        });

        var charts = await Open(Path.Combine(outDir, "report.html"), "sweep");

        Assert.Equal((2, 4), charts["F1 against window"]);
        Assert.Equal((2, 4), charts["Dev F1 per epoch"]);
        Assert.Equal((2, 4), charts["Training loss per epoch"]);
    }

    /// <summary>Loads the page, fails on any console error or page error, saves screenshots; returns (series, points) per chart title.</summary>
    private static async Task<Dictionary<string, (int Series, int Points)>> Open(string path, string name, bool dark = false)
    {
        EnsureChromium();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        page.PageError += (_, m) => errors.Add(m);
        page.RequestFailed += (_, r) => errors.Add("request failed: " + r.Url);
        await page.GotoAsync(new Uri(path).AbsoluteUri);
        Directory.CreateDirectory(ScreenshotDir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDir, name + ".png"), FullPage = true });
        if (dark)
        {
            await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Dark });
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDir, name + "-dark.png"), FullPage = true });
        }
        string json = await page.EvaluateAsync<string>(
            "() => JSON.stringify([...document.querySelectorAll('svg.nerve-chart')].map(s => [s.querySelector('title').textContent, " +
            "s.querySelectorAll('g.series').length, s.querySelectorAll('circle.point').length]))");
        Assert.Empty(errors);
        var charts = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        foreach (var c in JsonDocument.Parse(json).RootElement.EnumerateArray())
            charts[c[0].GetString()!] = (c[1].GetInt32(), c[2].GetInt32());
        Assert.True(File.Exists(Path.Combine(ScreenshotDir, name + ".png")));
        return charts;
    }

    private static readonly object InstallGate = new();

    /// <summary>Installs Debian's chromium with apt-get (as CI runs, as root) when it is not there.</summary>
    internal static void EnsureChromium()
    {
        lock (InstallGate)
        {
            if (File.Exists(Chromium)) return;
            foreach (var args in new[] { "update -qq", "install -y -qq chromium" })
            {
                var p = Process.Start(new ProcessStartInfo("apt-get", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
                string err = p.StandardError.ReadToEnd();
                p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                Assert.True(p.ExitCode == 0, $"apt-get {args} failed: {err}");
            }
        }
    }
}
