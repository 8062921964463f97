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
}
