using System.Globalization;
using System.IO.Compression;
using System.Text;
using Nerve.Features;
using Nerve.Vectors;

namespace Nerve.Tests.Vectors;

public class WordVectorsTests
{
    private const string Glove = "the 0.1 -0.2 3e-2\ncat 1 2 3 \n";

    private static void AssertThreeWords(WordVectors v)
    {
        Assert.Equal(3, v.Dim);
        Assert.Equal(2, v.Count);
        Assert.Equal(["the", "cat"], v.Words);
        Assert.Equal([0.1f, -0.2f, 0.03f], v[0].ToArray());
        Assert.Equal([1f, 2f, 3f], v[1].ToArray());
        Assert.Equal(1, v.IndexOf("cat"));
        Assert.Equal(-1, v.IndexOf("dog"));
    }

    [Fact]
    public void Loads_glove_text_without_header()
    {
        using var dir = new TempDir();
        AssertThreeWords(WordVectors.Load(dir.Write("g.txt", Glove)));
    }

    [Fact]
    public void Loads_word2vec_text_with_header_and_crlf()
    {
        using var dir = new TempDir();
        AssertThreeWords(WordVectors.Load(dir.Write("w.vec", "2 3\r\n" + Glove.Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n")));
    }

    [Fact]
    public void Loads_gzip_detected_by_magic_bytes_not_name()
    {
        using var dir = new TempDir();
        var path = dir.File("vectors.txt");
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest))
            gz.Write(Encoding.UTF8.GetBytes("2 3\n" + Glove));
        AssertThreeWords(WordVectors.Load(path));
    }

    [Fact]
    public void Loads_pa4_vector_and_vocabulary_pair()
    {
        using var dir = new TempDir();
        var v = WordVectors.Load(dir.Write("wordVectors.txt", "0.1 -0.2 3e-2\n1 2 3\n"), dir.Write("vocab.txt", "the\ncat\n"));
        AssertThreeWords(v);
    }

    [Fact]
    public void Pa4_pair_counts_must_match()
    {
        using var dir = new TempDir();
        var vectors = dir.Write("wordVectors.txt", "0.1 0.2\n1 2\n");
        var vocab = dir.Write("vocab.txt", "the\ncat\ndog\n");
        var e = Assert.Throws<NerveDataException>(() => WordVectors.Load(vectors, vocab));
        Assert.Equal($"{vectors}: expected 3 vectors, one per word of {vocab}, found 2 lines", e.Message);
    }

    [Fact]
    public void Duplicate_words_keep_the_first_vector()
    {
        using var dir = new TempDir();
        var v = WordVectors.Load(dir.Write("d.txt", "a 1 2\nb 3 4\na 5 6\nc 7 8\n"));
        Assert.Equal(["a", "b", "c"], v.Words);
        Assert.Equal(1, v.Duplicates);
        Assert.Equal([1f, 2f], v[0].ToArray());
        Assert.Equal([7f, 8f], v[2].ToArray());
        Assert.Equal(2, v.IndexOf("c"));
        Assert.Equal(6, v.Data.Length);
    }

    [Fact]
    public void Constructor_checks_sizes_and_uniqueness()
    {
        var v = new WordVectors(["a", "b"], [1f, 2f, 3f, 4f], 2);
        Assert.Equal([3f, 4f], v[v.IndexOf("b")].ToArray());
        Assert.Throws<ArgumentException>(() => new WordVectors(["a", "a"], [1f, 2f], 1));
        Assert.Throws<ArgumentException>(() => new WordVectors(["a"], [1f, 2f, 3f], 2));
    }

    [Fact]
    public void Wrong_number_of_values_names_the_line()
    {
        using var dir = new TempDir();
        var path = dir.Write("w.vec", "3 2\na 1 2\nb 3\nc 1 2\n");
        var e = Assert.Throws<NerveDataException>(() => WordVectors.Load(path));
        Assert.Equal($"{path}:3: expected 2 numbers, found 1: \"b 3\"", e.Message);
        path = dir.Write("x.vec", "a 1 2\nb 3 4 5\n");
        e = Assert.Throws<NerveDataException>(() => WordVectors.Load(path));
        Assert.Equal($"{path}:2: expected 2 numbers, found more: 3 in \"b 3 4 5\"", e.Message);
    }

    [Fact]
    public void Unparsable_number_is_quoted()
    {
        using var dir = new TempDir();
        var path = dir.Write("w.vec", "a 1 2\nb 3 4x\n");
        var e = Assert.Throws<NerveDataException>(() => WordVectors.Load(path));
        Assert.Equal($"{path}:2: expected a number, found \"4x\" in field 2", e.Message);
    }

    [Fact]
    public void Tabs_separate_like_spaces()
    {
        using var dir = new TempDir();
        AssertThreeWords(WordVectors.Load(dir.Write("t.vec", "2\t3\nthe\t0.1 -0.2\t3e-2\ncat 1 2 3\n")));
    }

    [Fact]
    public void A_corpus_given_as_vectors_is_a_data_error()
    {
        using var dir = new TempDir();
        var path = dir.Write("train", "-DOCSTART-\tO\n\nEU\tORG\n");
        var e = Assert.Throws<NerveDataException>(() => WordVectors.Load(path));
        Assert.Equal($"{path}:1: expected a number, found \"O\" in field 1", e.Message);
        path = dir.Write("blank", "a 1\n\nb 2\n");
        e = Assert.Throws<NerveDataException>(() => WordVectors.Load(path));
        Assert.Equal($"{path}:2: expected a word and 1 number separated by spaces, found an empty line", e.Message);
    }

    [Fact]
    public void Header_count_must_match_the_lines()
    {
        using var dir = new TempDir();
        var path = dir.Write("w.vec", "3 2\na 1 2\nb 3 4\n");
        var e = Assert.Throws<NerveDataException>(() => WordVectors.Load(path));
        Assert.Equal($"{path}:1: expected 3 vectors as the header says, found 2 vector lines", e.Message);
    }

    private static byte[] Gzip(string text)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(Encoding.UTF8.GetBytes(text));
        return ms.ToArray();
    }

    [Fact]
    public void Loads_a_gzip_file_of_several_members()
    {
        // As "cat a.gz b.gz > v.gz" makes: the last member's ISIZE is not the whole length.
        using var dir = new TempDir();
        var path = dir.File("v.vec.gz");
        int split = Glove.IndexOf('\n', StringComparison.Ordinal) + 1;
        File.WriteAllBytes(path, [.. Gzip("2 3\n" + Glove[..split]), .. Gzip(Glove[split..])]);
        AssertThreeWords(WordVectors.Load(path));
    }

    [Fact]
    public void A_cut_second_member_is_truncated_gzip()
    {
        using var dir = new TempDir();
        var path = dir.File("v.vec.gz");
        int split = Glove.IndexOf('\n', StringComparison.Ordinal) + 1;
        byte[] second = Gzip(Glove[split..]);
        File.WriteAllBytes(path, [.. Gzip("2 3\n" + Glove[..split]), .. second[..^3]]);
        var e = Assert.Throws<NerveDataException>(() => WordVectors.Load(path));
        Assert.Contains("truncated gzip", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Crc32_matches_the_standard_check_value()
        => Assert.Equal(0xCBF43926u, WordVectors.Crc32("123456789"u8)); // the CRC-32 check value of RFC 1952's polynomial

    [Fact]
    public void Corrupt_gzip_is_a_data_error()
    {
        using var dir = new TempDir();
        var path = dir.File("bad.gz");
        File.WriteAllBytes(path, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0]);
        var e = Assert.Throws<NerveDataException>(() => WordVectors.Load(path));
        Assert.StartsWith($"{path}: expected valid gzip data", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Large_file_parsed_in_parallel_chunks_keeps_rows_and_line_numbers()
    {
        // Over 2 MB so the parser splits it into several chunks.
        const int rows = 20000, dim = 12;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{rows} {dim}\n");
        for (var r = 0; r < rows; r++)
        {
            text.Append(CultureInfo.InvariantCulture, $"w{r}");
            for (var d = 0; d < dim; d++)
                text.Append(CultureInfo.InvariantCulture, $" {r * 0.001 + d:R}");
            text.Append('\n');
        }
        using var dir = new TempDir();
        var path = dir.Write("big.vec", text.ToString());
        Assert.True(new FileInfo(path).Length > 2 << 20);
        var v = WordVectors.Load(path);
        Assert.Equal(rows, v.Count);
        for (var r = 0; r < rows; r += 997)
        {
            Assert.Equal("w" + r.ToString(CultureInfo.InvariantCulture), v.Words[r]);
            Assert.Equal((float)(r * 0.001 + 5), v[r][5]);
        }

        var broken = text.ToString().Replace("\nw15000 ", "\nw15000 oops ", StringComparison.Ordinal);
        path = dir.Write("broken.vec", broken);
        var e = Assert.Throws<NerveDataException>(() => WordVectors.Load(path));
        Assert.Equal(15002, e.Line);
    }

    [Theory]
    [InlineData("1e39")]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    public void Float_parser_refuses_non_finite_values_and_overflow(string s)
        => Assert.False(FloatParser.TryParse(Encoding.ASCII.GetBytes(s), out _));

    [Theory]
    [InlineData("-0")]
    [InlineData(".5")]
    [InlineData("1e-05")]
    [InlineData("5.")]
    [InlineData("-1.5E+3")]
    [InlineData("0.000000000001234")]
    [InlineData("123456789012")]
    [InlineData("3.4028235e38")]
    [InlineData("1.17549435E-38")]
    [InlineData("0.1000000")]
    [InlineData("-0.0042599")]
    [InlineData("+7")]
    public void Float_parser_agrees_with_float_parse(string s)
    {
        var bytes = Encoding.ASCII.GetBytes(s);
        Assert.True(FloatParser.TryParse(bytes, out var fast));
        var expected = float.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
        Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(fast));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData(".")]
    [InlineData("e5")]
    [InlineData("1e")]
    [InlineData("1.2.3")]
    [InlineData("0x10")]
    [InlineData("1,5")]
    public void Float_parser_rejects_what_float_parse_rejects(string s)
        => Assert.False(FloatParser.TryParse(Encoding.ASCII.GetBytes(s), out _));

    [Fact]
    public void Float_parser_agrees_with_float_parse_on_random_values()
    {
        var random = new Random(12345);
        var formats = new[] { "R", "G3", "G5", "G7", "G9", "F4", "F7", "E3", "E6", "e2" };
        for (var i = 0; i < 200_000; i++)
        {
            var magnitude = Math.Pow(10, random.Next(-12, 12));
            var x = (random.NextDouble() - 0.5) * magnitude;
            var s = x.ToString(formats[i % formats.Length], CultureInfo.InvariantCulture);
            if (i % 7 == 0)
                s = s.Replace("0.", ".", StringComparison.Ordinal);
            var expected = float.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
            Assert.True(FloatParser.TryParse(Encoding.ASCII.GetBytes(s), out var fast), s);
            if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(fast))
                Assert.Fail($"{s}: float.Parse {expected:R}, fast parser {fast:R}");
        }
    }
}
