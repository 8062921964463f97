using Nerve.IO;

namespace Nerve.Tests.IO;

/// <summary>Standard input is checked for UTF-8 as it is read, with the line and byte offset a file's error gives.</summary>
public sealed class Utf8CheckingStreamTests
{
    /// <summary>Hands out at most <paramref name="chunk"/> bytes a read, so sequences are cut between reads.</summary>
    private sealed class Trickle(byte[] bytes, int chunk) : MemoryStream(bytes)
    {
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(chunk, buffer.Length)]);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(chunk, count));
    }

    private static string ReadAll(byte[] bytes, int chunk)
    {
        using var reader = new StreamReader(new Utf8CheckingStream(new Trickle(bytes, chunk), "<stdin>"), new System.Text.UTF8Encoding(false, true), true, 16);
        return reader.ReadToEnd();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4096)]
    public void Valid_text_passes_whole_however_it_is_cut(int chunk)
    {
        string text = "Pöris € 👍🏽\nzwei Zeilen\n";
        Assert.Equal(text, ReadAll(System.Text.Encoding.UTF8.GetBytes(text), chunk));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(4096)]
    public void Invalid_bytes_are_an_error_at_their_line_and_offset(int chunk)
    {
        byte[] bytes = [.. "John B-PER\n"u8, .. "Sm"u8, 0xFF, .. "ith I-PER\n"u8];
        var e = Assert.Throws<NerveDataException>(() => ReadAll(bytes, chunk));
        Assert.Equal("<stdin>:2: expected UTF-8 text, found invalid UTF-8 at byte offset 13", e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    public void A_sequence_cut_by_the_end_of_the_input_is_invalid(int chunk)
    {
        byte[] bytes = [.. "a\nb\n€"u8[..^1]];
        var e = Assert.Throws<NerveDataException>(() => ReadAll(bytes, chunk));
        Assert.Equal("<stdin>:3: expected UTF-8 text, found invalid UTF-8 at byte offset 4", e.Message);
    }
}
