using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;

namespace Nerve.Cli;

/// <summary>
/// `--config FILE`: a JSON object whose keys are a command's option names without "--". Every option the command line
/// does not give is taken from the file; paths (train, dev, embeddings, vocab, gazetteers, model) are relative to the
/// repository root holding the file (the first folder above it with Nerve.slnx), else to the file's folder.
/// </summary>
internal static class ConfigFile
{
    private static readonly HashSet<string> PathKeys = new(StringComparer.Ordinal) { "train", "dev", "embeddings", "vocab", "gazetteers", "model" };

    public static ParseResult Apply(Command command, ParseResult parsed, Option<string?> configOption)
    {
        if (parsed.GetValue(configOption) is not { } path) return parsed;
        if (!File.Exists(path)) throw new NerveException($"{path}: config file not found");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new NerveDataException(path, (e.LineNumber ?? -1) + 1, "a JSON object of options", e.Message.Split(". ")[0]); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new NerveDataException(path, 1, "a JSON object of options", doc.RootElement.ValueKind.ToString());
            string root = Root(Path.GetFullPath(path));
            var extra = new List<string>();
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                var option = command.Options.FirstOrDefault(o => o.Name == "--" + prop.Name);
                if (option is null || prop.Name == "config")
                    throw new NerveDataException(path, 0, $"an option of `nerve {command.Name}`", $"\"{prop.Name}\"");
                if (parsed.GetResult(option) is { Implicit: false }) continue; // the command line wins
                string value = prop.Value.ValueKind switch
                {
                    JsonValueKind.String => prop.Value.GetString()!,
                    JsonValueKind.Number => prop.Value.GetRawText(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    JsonValueKind.Array => string.Join(",", prop.Value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText())),
                    _ => throw new NerveDataException(path, 0, $"a string, number, boolean or array for \"{prop.Name}\"", prop.Value.ValueKind.ToString()),
                };
                if (PathKeys.Contains(prop.Name) && !Path.IsPathRooted(value)) value = Path.Combine(root, value);
                extra.Add("--" + prop.Name);
                extra.Add(value);
            }
            var args = parsed.Tokens.Where(t => t.Type is TokenType.Option or TokenType.Argument).Select(t => t.Value).Concat(extra).ToList();
            var result = command.Parse(args);
            if (result.Errors.Count > 0)
                throw new NerveException($"{path}: {string.Join("; ", result.Errors.Select(e => e.Message))}");
            return result;
        }
    }

    private static string Root(string file)
    {
        for (var d = new DirectoryInfo(Path.GetDirectoryName(file)!); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Nerve.slnx"))) return d.FullName;
        return Path.GetDirectoryName(file)!;
    }
}
