using System.Text.Json;

namespace Nerve.Tests.Cli;

/// <summary>`nerve bench --json` on a tiny configuration: every configuration appears once as a parseable line (speed is not checked).</summary>
public class BenchCommandTests
{
    [Fact]
    [Trait("Category", "Acceptance")]
    public void Bench_prints_one_json_line_per_configuration()
    {
        var (code, output, err) = NerveProcess.Run(null, "bench", "--tokens", "2000", "--batch", "1,32", "--threads", "1,2", "--mode", "train,tag",
            "--hidden", "20", "--repetitions", "2", "--json");
        Assert.True(code == 0, err);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var seen = new HashSet<(string, int, int)>();
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            var o = doc.RootElement;
            Assert.Equal(20, o.GetProperty("hidden").GetInt32());
            Assert.Equal(5, o.GetProperty("window").GetInt32());
            foreach (var key in new[] { "tokens_per_s", "median", "min", "max" })
                Assert.True(o.GetProperty(key).GetDouble() > 0, key);
            Assert.True(o.GetProperty("min").GetDouble() <= o.GetProperty("median").GetDouble());
            Assert.True(o.GetProperty("median").GetDouble() <= o.GetProperty("max").GetDouble());
            Assert.True(seen.Add((o.GetProperty("mode").GetString()!, o.GetProperty("batch").GetInt32(), o.GetProperty("threads").GetInt32())), line);
            // Batch-1 SGD splits the hidden units over all the threads; minibatches take a worker per thread up to the batch.
            int threads = o.GetProperty("threads").GetInt32(), batch = o.GetProperty("batch").GetInt32();
            if (o.GetProperty("mode").GetString() == "train")
                Assert.Equal(batch == 1 ? threads : Math.Min(threads, batch), o.GetProperty("workers").GetInt32());
        }
        foreach (var mode in new[] { "train", "tag" })
            foreach (int batch in new[] { 1, 32 })
                foreach (int threads in new[] { 1, 2 })
                    Assert.Contains((mode, batch, threads), seen);
        Assert.Equal(8, lines.Length);
    }

    [Fact]
    [Trait("Category", "Acceptance")]
    public void Bench_config_measures_the_configured_model_with_its_features_and_head()
    {
        string dir = Directory.CreateTempSubdirectory("nerve-bench-").FullName;
        try
        {
            string train = Path.Combine(Fixtures.Root(), "data", "conll2003", "eng.testa");
            string config = Path.Combine(dir, "small.json");
            File.WriteAllText(config, JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["train"] = train, ["caps"] = true, ["suffix"] = "2", ["output"] = "crf", ["hidden"] = "20", ["window"] = 3,
                ["input-dropout"] = 0.2, ["hidden-dropout"] = 0.5, ["char-cnn"] = true, ["char-filters"] = 7,
            }));
            var (code, output, err) = NerveProcess.Run(null, "bench", "--config", config, "--tokens", "600", "--threads", "1,2", "--mode", "train,tag",
                "--repetitions", "1", "--json");
            Assert.True(code == 0, err);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(4, lines.Length);
            var seen = new HashSet<(string, int)>();
            foreach (var line in lines)
            {
                using var doc = JsonDocument.Parse(line);
                var o = doc.RootElement;
                Assert.Equal("small.json", o.GetProperty("config").GetString());
                Assert.Equal("crf", o.GetProperty("output").GetString());
                Assert.Equal(20, o.GetProperty("hidden").GetInt32());
                Assert.Equal(3, o.GetProperty("window").GetInt32());
                Assert.Equal(3, o.GetProperty("tables").GetString()!.Split(',').Length); // word, caps, suffix2
                Assert.StartsWith("7:", o.GetProperty("tables").GetString()!.Split(',')[1], StringComparison.Ordinal);
                Assert.Matches(@"^\d+:25:7:3:20$", o.GetProperty("chars").GetString()); // the peer's character convolution: alphabet:dim:filters:width:max
                Assert.True(o.GetProperty("tokens_per_s").GetDouble() > 0);
                Assert.True(seen.Add((o.GetProperty("mode").GetString()!, o.GetProperty("threads").GetInt32())), line);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Bench_rejects_an_unknown_mode()
    {
        var (code, _, err) = NerveProcess.Run(null, "bench", "--mode", "infer", "--tokens", "100");
        Assert.Equal(1, code);
        Assert.Contains("--mode", err, StringComparison.Ordinal);
    }
}
