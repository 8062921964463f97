using System.Text;
using Nerve.Cli;
using Nerve.Corpus;
using Nerve.Jobs;
using Nerve.Model;

namespace Nerve.Tests.Jobs;

/// <summary>The library's jobs and what they read: config files bound to the options, TagJob on streams, the column grammar.</summary>
public sealed class JobsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nerve-jobs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Config(string json)
    {
        string path = Path.Combine(_dir, "c.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void A_config_file_binds_defaults_then_file_then_flags()
    {
        var file = TrainConfig.Read(Config("""{ "train": "t.txt", "epochs": 5, "hidden": "400", "input-dropout": 0.3, "output": "crf", "suffix": [2, 3], "feature-dims": "5,8,4" }"""));
        var o = TrainCommand.Options(file, new TrainSettings { Epochs = 1, Hidden = [100, 50] });
        Assert.Equal(Path.Combine(_dir, "t.txt"), o.TrainPath); // relative to the file's folder outside a repository
        Assert.Equal(1, o.Training.Epochs);                     // the flag beats the file
        Assert.Equal([100, 50], o.Hidden);
        Assert.Equal(0.3, o.Training.InputDropout);            // the file beats the default
        Assert.Equal(OutputKind.Crf, o.Output);
        Assert.Equal([2, 3], o.Features.Suffixes);
        Assert.Equal(8, o.Features.AffixDim);
        Assert.Equal(0.05, o.Training.LearningRate);           // the default stays
        Assert.Equal(Environment.ProcessorCount, o.Training.Threads);
        Assert.Equal([400], TrainCommand.Options(TrainConfig.Read(Config("""{ "hidden": [400] }""")), null).Hidden);
    }

    [Fact]
    public void None_switches_off_what_the_file_set()
    {
        var file = TrainConfig.Read(Config("""{ "embeddings": "v.txt", "gazetteers": "gz", "prefix": "3" }"""));
        var fromFile = TrainCommand.Options(file, null);
        Assert.Equal(Path.Combine(_dir, "v.txt"), fromFile.EmbeddingsPath);
        Assert.Equal(Path.Combine(_dir, "gz"), fromFile.Features.Gazetteers);
        Assert.Equal([3], fromFile.Features.Prefixes);
        var off = TrainCommand.Options(file, new TrainSettings { Embeddings = "none", Gazetteers = "none", Prefix = [] });
        Assert.Null(off.EmbeddingsPath);
        Assert.Null(off.Features.Gazetteers);
        Assert.Empty(off.Features.Prefixes);
        var inFile = TrainCommand.Options(TrainConfig.Read(Config("""{ "embeddings": "none", "suffix": "none" }""")), null);
        Assert.Null(inFile.EmbeddingsPath);
        Assert.Empty(inFile.Features.Suffixes);
    }

    [Fact]
    public void Paths_are_relative_to_the_repository_holding_the_file()
    {
        string repo = Path.Combine(_dir, "repo"), configs = Path.Combine(repo, "configs");
        Directory.CreateDirectory(configs);
        File.WriteAllText(Path.Combine(repo, "Nerve.slnx"), "");
        string path = Path.Combine(configs, "c.json");
        File.WriteAllText(path, """{ "train": "data/t.txt", "dev": "/abs/d.txt" }""");
        var s = TrainConfig.Read(path);
        Assert.Equal([Path.Combine(repo, "data/t.txt")], s.Train!);
        Assert.Equal("/abs/d.txt", s.Dev);
    }

    [Fact]
    public void An_unknown_key_names_the_file_and_the_key()
    {
        string path = Config("""{ "train": "t.txt", "epoch": 5 }""");
        var e = Assert.Throws<NerveDataException>(() => TrainConfig.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("\"epoch\"", e.Message, StringComparison.Ordinal);
        var bad = Assert.Throws<NerveDataException>(() => TrainConfig.Read(Config("""{ "hidden": "10,x" }""")));
        Assert.Contains("hidden", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TagJob_tags_a_stream_as_the_whole_file_path_does()
    {
        var train = Synthetic.Corpus(120, 1);
        var model = Synthetic.NewModel(train, 3);
        var text = new StringBuilder();
        foreach (var s in Synthetic.Corpus(30, 2))
        {
            for (int i = 0; i < s.Count; i++) text.Append(s.Words[i]).Append('\t').Append(s.Tags[i]).Append('\n');
            text.Append('\n');
        }
        string Run(TagJobOptions o, out TagJobResult result)
        {
            using var output = new MemoryStream();
            result = TagJob.Run(model, o, JobInput.FromReader(new StringReader(text.ToString()), "in"), output);
            return Encoding.UTF8.GetString(output.ToArray());
        }
        string streamed = Run(new TagJobOptions { Threads = 2 }, out var r1);
        string whole = Run(new TagJobOptions { RepairGlued = true }, out var r2); // the in-memory path
        Assert.Equal(whole, streamed);
        Assert.Equal(Synthetic.Corpus(30, 2).Sum(s => s.Count), r1.Tokens);
        Assert.Equal(["read, tag and write"], r1.Phases.Select(p => p.Phase));
        Assert.Equal(["read", "tag", "write"], r2.Phases.Select(p => p.Phase));
        Assert.StartsWith(text.ToString().Split('\n')[0] + "\t", streamed, StringComparison.Ordinal);
    }

    [Fact]
    public void The_column_grammar_classifies_lines()
    {
        var parser = new ColumnLineParser("in.txt", requireTags: false);
        Span<Range> fields = stackalloc Range[ColumnLayout.MaxColumns];
        var lines = new TextLines("\uFEFF-DOCSTART- -X- O\r\n \t\r\nEU  NNP B-ORG\rrejects VBZ O\n".AsSpan());
        var kinds = new List<(ColumnLineKind, int, string)>();
        long lineNo = 0;
        while (lines.Next(out var line, out _))
        {
            var kind = parser.Parse(ref line, ++lineNo, fields, out int n);
            kinds.Add((kind, n, n > 0 ? line[fields[0]].ToString() : ""));
        }
        Assert.Equal([(ColumnLineKind.DocStart, 3, "-DOCSTART-"), (ColumnLineKind.Boundary, 0, ""), (ColumnLineKind.Token, 3, "EU"), (ColumnLineKind.Token, 3, "rejects")], kinds);
        Assert.Equal(' ', parser.Layout!.Delimiter);
        Assert.Equal(2, parser.Layout.TagIndex);
        var e = Assert.Throws<NerveDataException>(() => { var l = "EU B-ORG".AsSpan(); Span<Range> f = stackalloc Range[ColumnLayout.MaxColumns]; parser.Parse(ref l, 5, f, out _); });
        Assert.Contains("in.txt:5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_column_writer_joins_columns_and_ends_sentences()
    {
        var w = new ColumnWriter('\t');
        w.Column("EU");
        w.Column("NNP");
        w.EndToken("B-ORG");
        w.EndSentence();
        Assert.Equal("EU\tNNP\tB-ORG\n\n", w.Text.ToString());
        var sw = new StringWriter();
        w.FlushTo(sw);
        Assert.Equal(0, w.Length);
        Assert.Equal("EU\tNNP\tB-ORG\n\n", sw.ToString());
    }
}
