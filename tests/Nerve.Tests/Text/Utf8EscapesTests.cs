using Nerve.Text;

namespace Nerve.Tests.Text;

public class Utf8EscapesTests
{
    [Fact]
    public void Decoding_then_encoding_gives_back_any_bytes()
    {
        var rng = new Random(5);
        for (int n = 0; n < 2000; n++)
        {
            // Mostly valid UTF-8 (ASCII, é, €, an emoji) with random bytes spliced in.
            var bytes = new List<byte>();
            for (int k = rng.Next(40); k > 0; k--)
            {
                bytes.AddRange(rng.Next(6) switch
                {
                    0 => [(byte)rng.Next(256)],
                    1 => "é"u8.ToArray(),
                    2 => "€"u8.ToArray(),
                    3 => "😀"u8.ToArray(),
                    4 => [0xED, 0xA0, 0x80], // an encoded surrogate: invalid UTF-8
                    _ => [(byte)rng.Next(0x20, 0x7F)],
                });
            }
            byte[] input = [.. bytes];
            string text = Utf8Escapes.Encoding.GetString(input);
            var output = new byte[System.Text.Encoding.UTF8.GetMaxByteCount(text.Length)];
            int length = Utf8Escapes.GetBytes(text, output);
            Assert.Equal(input, output[..length]);

            // The same through a decoder fed one byte at a time, as a stream reader's blocks may cut a sequence.
            var decoder = Utf8Escapes.Encoding.GetDecoder();
            var chars = new char[8];
            var streamed = new System.Text.StringBuilder();
            for (int i = 0; i < input.Length; i++)
                streamed.Append(chars, 0, decoder.GetChars(input, i, 1, chars, 0, flush: i == input.Length - 1));
            Assert.Equal(text, streamed.ToString());
        }
    }

    [Fact]
    public void Valid_text_decodes_as_usual_and_invalid_bytes_as_low_surrogates()
    {
        Assert.Equal("Smé😀", Utf8Escapes.Encoding.GetString("Smé😀"u8));
        Assert.Equal("Sm\uDCFFith", Utf8Escapes.Encoding.GetString([.. "Sm"u8, 0xFF, .. "ith"u8]));
    }

    [Fact]
    public void A_stream_reader_decodes_into_its_callers_buffer_without_copying_it()
    {
        // A reader asked for a large block decodes straight into it; the base Decoder would copy the bytes and the
        // whole destination into new arrays on every call, garbage in proportion to the input times the block.
        var bytes = new byte[1 << 20];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = i % 100 == 99 ? (byte)'\n' : i % 1000 == 7 ? (byte)0xFF : (byte)('a' + i % 26);
        using var reader = new StreamReader(new MemoryStream(bytes), Utf8Escapes.Encoding, false, 1 << 16);
        var block = new char[1 << 19];
        reader.Read(block); // the reader's own buffers
        long before = GC.GetAllocatedBytesForCurrentThread();
        long chars = 0;
        for (int n; (n = reader.Read(block)) > 0;) chars += n;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(bytes.Length - block.Length, chars);
        Assert.True(allocated < 1 << 16, $"{allocated} bytes allocated decoding {chars} characters");
    }

    [Fact]
    public void Counting_characters_leaves_a_cut_sequence_pending()
    {
        var decoder = Utf8Escapes.Encoding.GetDecoder();
        var euro = "€"u8.ToArray();
        var chars = new char[4];
        Assert.Equal(0, decoder.GetChars(euro, 0, 2, chars, 0));
        Assert.Equal(1, decoder.GetCharCount(euro, 2, 1));
        Assert.Equal(1, decoder.GetChars(euro, 2, 1, chars, 0, flush: true));
        Assert.Equal('€', chars[0]);
    }
}
