using System.Text.Json;
using Microsoft.Playwright;
using Nerve.Cli;
using Nerve.Reports;
using Nerve.Tagging;
using Nerve.Tests.Reports;

namespace Nerve.Tests.Server;

/// <summary>
/// The page at GET / in headless Chromium (Debian's, as <see cref="BrowserTests"/> installs it): the demo paragraph typed
/// and submitted with Ctrl+Enter, the entities marked as the library finds them, the label filter, no console error.
/// The screenshot goes to screenshots/serve.png in the test output folder.
/// </summary>
[Trait("Category", "Acceptance")]
public sealed class PageBrowserTests
{
    [Fact]
    public async Task The_page_marks_the_entities_of_the_demo_paragraph_and_filters_them_by_label()
    {
        var model = SmallModel.Model;
        var expected = model.Recognize(DemoCommand.Sample).Entities;
        Assert.NotEmpty(expected);
        await using var server = await TestServer.Start(model);

        BrowserTests.EnsureChromium();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserTests.Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1000, Height = 900 } });
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        page.PageError += (_, m) => errors.Add(m);
        page.RequestFailed += (_, r) => errors.Add("request failed: " + r.Url);
        await page.GotoAsync(server.Client.BaseAddress!.AbsoluteUri);

        await page.FocusAsync("#text");
        await page.Keyboard.InsertTextAsync(DemoCommand.Sample);
        await page.Keyboard.PressAsync("Control+Enter");
        await page.WaitForSelectorAsync("#result:not(.hidden)");

        var marks = await Marks(page);
        Assert.Equal(expected.Select(e => (e.Text, e.Label, Displacy.Colour(e.Label))), marks.Select(m => (m.Text, m.Label, m.Colour)));
        Assert.All(marks.Zip(expected), p => Assert.Equal($"{p.Second.Label} {p.Second.Score:F4}", p.First.Title));
        Assert.Equal(expected.Count, await page.Locator("#table tbody tr").CountAsync());
        Assert.Equal(expected[0].Start.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.Locator("#table tbody tr >> nth=0 >> td >> nth=2").TextContentAsync());
        Directory.CreateDirectory(BrowserTests.ScreenshotDir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserTests.ScreenshotDir, "serve.png"), FullPage = true });
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Dark });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserTests.ScreenshotDir, "serve-dark.png"), FullPage = true });

        // Unchecking a label in the legend unmarks its entities and hides its rows; checking it again restores them.
        string label = expected[0].Label;
        int count = expected.Count(e => e.Label == label);
        var box = page.Locator($"#legend input[value=\"{label}\"]");
        await box.UncheckAsync();
        Assert.Equal(count, await page.Locator($"mark.entity.off[data-label=\"{label}\"]").CountAsync());
        Assert.Equal(expected.Count - count, await page.Locator("#table tbody tr:not(.off)").CountAsync());
        Assert.Equal("none", await page.Locator($"mark.entity[data-label=\"{label}\"] span").First.EvaluateAsync<string>("e => getComputedStyle(e).display"));
        await box.CheckAsync();
        Assert.Equal(0, await page.Locator("mark.entity.off").CountAsync());
        Assert.Equal(expected.Count, await page.Locator("#table tbody tr:not(.off)").CountAsync());

        // The text around the marks is the input, character for character: UTF-16 offsets slice JavaScript strings.
        Assert.Equal(DemoCommand.Sample, await page.EvaluateAsync<string>(
            "() => [...document.getElementById('marked').childNodes].map(n => n.nodeType === 3 ? n.textContent : n.firstChild.textContent).join('')"));
        Assert.Empty(errors);
    }

    private sealed record Mark(string Text, string Label, string Colour, string Title);

    private static async Task<List<Mark>> Marks(IPage page)
    {
        string json = await page.EvaluateAsync<string>(
            "() => JSON.stringify([...document.querySelectorAll('#marked mark.entity')].map(m => [m.firstChild.textContent, " +
            "m.querySelector('span').textContent, m.style.background, m.title]))");
        var marks = new List<Mark>();
        foreach (var m in JsonDocument.Parse(json).RootElement.EnumerateArray())
            marks.Add(new Mark(m[0].GetString()!, m[1].GetString()!, Hex(m[2].GetString()!), m[3].GetString()!));
        return marks;
    }

    /// <summary>"rgb(170, 156, 252)" as "#aa9cfc".</summary>
    private static string Hex(string rgb)
    {
        var parts = rgb[(rgb.IndexOf('(', StringComparison.Ordinal) + 1)..rgb.IndexOf(')', StringComparison.Ordinal)].Split(',');
        return "#" + string.Concat(parts.Take(3).Select(p => int.Parse(p.Trim(), System.Globalization.CultureInfo.InvariantCulture).ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
