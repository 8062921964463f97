namespace Nerve.Tests.Cli;

/// <summary>`nerve tag` on columns copies the input columns byte for byte, even bytes that are not UTF-8 (issue 17).</summary>
[Trait("Category", "Acceptance")]
public sealed class TagBytesTests
{
    [Fact]
    public void Invalid_utf8_in_the_input_columns_is_copied_unchanged()
    {
        using var dir = new TempDir();
        var model = dir.File("m.nerve");
        Synthetic.NewModel(Synthetic.Corpus(20, 1), 1).Save(model);
        byte[][] lines =
        [
            [.. "Sm"u8, 0xFF, .. "ith NN"u8],
            [.. "met NN"u8],
            [0xE2, 0x82, .. "x N"u8, 0xC3],   // a cut three-byte sequence, a lone lead byte at the end
            [0xED, 0xA0, 0x80, .. " NN"u8],   // an encoded surrogate
            [.. "Pöris NN"u8],
        ];
        var input = dir.File("in.txt");
        File.WriteAllBytes(input, [.. lines.SelectMany(l => (byte[])[.. l, (byte)'\n'])]);
        var output = dir.File("out.txt");
        var (code, _, err) = NerveProcess.Run(null, "tag", "--model", model, "--input", input, "--output", output);
        Assert.True(code == 0, err);

        var written = File.ReadAllBytes(output);
        var outLines = new List<byte[]>();
        for (int start = 0; start < written.Length;)
        {
            int end = Array.IndexOf(written, (byte)'\n', start);
            outLines.Add(written[start..end]);
            start = end + 1;
        }
        Assert.Equal(lines.Length + 1, outLines.Count); // and a blank line after the sentence
        for (int i = 0; i < lines.Length; i++)
        {
            Assert.Equal(lines[i], outLines[i][..lines[i].Length]); // the columns as they were
            Assert.Equal((byte)' ', outLines[i][lines[i].Length]);   // then the predicted tag
        }
    }
}
