using System.Text;
using System.Text.Json;
using Nerve.Corpus;
using Nerve.Model;
using Nerve.Reports;

namespace Nerve.Server;

/// <summary>
/// <c>GET /</c>: one self-contained page (inline CSS and JS, no network beyond this server) that posts the text box to
/// /v1/entities and marks the entities inline as displaCy does, with <see cref="Displacy.Colour"/>'s colour per label.
/// </summary>
internal static class Page
{
    private const string Placeholder = "/*LABEL-COLOURS*/{}";

    /// <summary>spaCy's labels, coloured on the page even before the model is loaded.</summary>
    private static readonly string[] SpacyLabels = ["PER", "PERSON", "ORG", "LOC", "GPE", "MISC", "NORP", "FAC", "EVENT", "PRODUCT", "DATE", "TIME", "MONEY", "WORK_OF_ART", "LAW"];

    private static readonly Lazy<string> Template = new(() =>
    {
        using var stream = typeof(Page).Assembly.GetManifestResourceStream("Nerve.Server.index.html")
            ?? throw new InvalidOperationException("the page is not embedded");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    });

    /// <summary>The page, with the colour of every spaCy label and of every type <paramref name="model"/> predicts.</summary>
    public static string Html(NerModel? model)
    {
        var labels = new SortedSet<string>(SpacyLabels, StringComparer.Ordinal);
        if (model is not null)
            foreach (var tag in model.Config.Labels)
                if (Tags.Split(tag).Type is { Length: > 0 } type) labels.Add(type);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer)) // the default encoder escapes <, > and &: safe inside <script>
        {
            w.WriteStartObject();
            foreach (var label in labels) w.WriteString(label, Displacy.Colour(label));
            w.WriteEndObject();
        }
        return Template.Value.Replace(Placeholder, Encoding.UTF8.GetString(buffer.ToArray()), StringComparison.Ordinal);
    }
}
