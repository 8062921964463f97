using System.Buffers;
using System.Text;

namespace Nerve.Text;

/// <summary>
/// Lossless UTF-8 for text that is copied rather than read: each byte of an invalid sequence decodes to the lone low
/// surrogate U+DC00 + byte (U+DC80–U+DCFF, since such bytes are ≥ 0x80), which valid UTF-8 never yields (Python's
/// "surrogateescape", PEP 383), and <see cref="GetBytes"/> writes each such character back as its byte. Decoding then
/// encoding gives the input bytes exactly.
/// </summary>
public static class Utf8Escapes
{
    /// <summary>
    /// UTF-8 without a byte order mark whose decoder escapes invalid bytes instead of replacing them. (A DecoderFallback
    /// cannot do this: .NET refuses lone surrogates from a fallback, so the decoder is written out.)
    /// </summary>
    public static Encoding Encoding { get; } = new EscapingUtf8();

    /// <summary>
    /// Encodes <paramref name="chars"/> as UTF-8, each escape character (a U+DC80–U+DCFF not preceded by a high
    /// surrogate) as its original byte; returns the bytes written. Needs at most Encoding.UTF8.GetMaxByteCount bytes.
    /// </summary>
    public static int GetBytes(ReadOnlySpan<char> chars, Span<byte> bytes)
    {
        int written = 0, from = 0;
        while (true)
        {
            int i = chars[from..].IndexOfAnyInRange('\uDC80', '\uDCFF');
            while (i >= 0 && from + i > 0 && char.IsHighSurrogate(chars[from + i - 1])) // half of a valid pair: keep looking
            {
                int next = chars[(from + i + 1)..].IndexOfAnyInRange('\uDC80', '\uDCFF');
                i = next < 0 ? -1 : i + 1 + next;
            }
            if (i < 0) return written + System.Text.Encoding.UTF8.GetBytes(chars[from..], bytes[written..]);
            written += System.Text.Encoding.UTF8.GetBytes(chars.Slice(from, i), bytes[written..]);
            bytes[written++] = (byte)(chars[from + i] - 0xDC00);
            from += i + 1;
        }
    }

    private sealed class EscapingUtf8 : Encoding
    {
        private static readonly Encoding Utf8 = new UTF8Encoding(false);

        public override int GetByteCount(char[] chars, int index, int count) => Utf8.GetByteCount(chars, index, count);
        public override int GetBytes(char[] chars, int charIndex, int charCount, byte[] bytes, int byteIndex) => Utf8.GetBytes(chars, charIndex, charCount, bytes, byteIndex);
        public override int GetCharCount(byte[] bytes, int index, int count) => new EscapingDecoder().GetCharCount(bytes, index, count, flush: true);
        public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex) => new EscapingDecoder().GetChars(bytes, byteIndex, byteCount, chars, charIndex, flush: true);
        public override int GetMaxByteCount(int charCount) => Utf8.GetMaxByteCount(charCount);
        public override int GetMaxCharCount(int byteCount) => byteCount + 4; // one char per byte at most, and the ≤ 3 pending bytes
        public override Decoder GetDecoder() => new EscapingDecoder();
    }

    /// <summary>UTF-8 to UTF-16 by <see cref="System.Text.Unicode.Utf8.ToUtf16"/>, each byte of an invalid sequence as U+DC00 + byte; an incomplete sequence at the end of a block waits for the next.</summary>
    private sealed class EscapingDecoder : Decoder
    {
        private readonly byte[] _pending = new byte[4];
        private int _pendingCount;

        public override int GetCharCount(byte[] bytes, int index, int count) => GetCharCount(bytes.AsSpan(index, count), flush: false);

        public override int GetCharCount(byte[] bytes, int index, int count, bool flush) => GetCharCount(bytes.AsSpan(index, count), flush);

        public override unsafe int GetCharCount(byte* bytes, int count, bool flush) => GetCharCount(new ReadOnlySpan<byte>(bytes, count), flush);

        /// <summary>Decodes into a pooled buffer and leaves the state as it was: counting consumes nothing.</summary>
        public override int GetCharCount(ReadOnlySpan<byte> bytes, bool flush)
        {
            var chars = ArrayPool<char>.Shared.Rent(bytes.Length + _pendingCount + 1);
            int saved = _pendingCount;
            Span<byte> pending = stackalloc byte[4];
            _pending.CopyTo(pending);
            try
            {
                return Decode(bytes, chars, flush);
            }
            finally
            {
                pending.CopyTo(_pending);
                _pendingCount = saved;
                ArrayPool<char>.Shared.Return(chars);
            }
        }

        public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex) => GetChars(bytes, byteIndex, byteCount, chars, charIndex, flush: false);

        public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex, bool flush)
            => Decode(bytes.AsSpan(byteIndex, byteCount), chars.AsSpan(charIndex), flush);

        // The base class would copy both buffers into new arrays on every call (a StreamReader hands its caller's whole span).
        public override int GetChars(ReadOnlySpan<byte> bytes, Span<char> chars, bool flush) => Decode(bytes, chars, flush);

        public override unsafe int GetChars(byte* bytes, int byteCount, char* chars, int charCount, bool flush)
            => Decode(new ReadOnlySpan<byte>(bytes, byteCount), new Span<char>(chars, charCount), flush);

        public override void Reset() => _pendingCount = 0;

        private int Decode(ReadOnlySpan<byte> bytes, Span<char> chars, bool flush)
        {
            if (_pendingCount == 0) return DecodeFrom(bytes, chars, flush);
            var joined = ArrayPool<byte>.Shared.Rent(_pendingCount + bytes.Length);
            try
            {
                _pending.AsSpan(0, _pendingCount).CopyTo(joined);
                bytes.CopyTo(joined.AsSpan(_pendingCount));
                int length = _pendingCount + bytes.Length;
                _pendingCount = 0;
                return DecodeFrom(joined.AsSpan(0, length), chars, flush);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(joined);
            }
        }

        private int DecodeFrom(ReadOnlySpan<byte> src, Span<char> chars, bool flush)
        {
            int written = 0;
            while (true)
            {
                var status = System.Text.Unicode.Utf8.ToUtf16(src, chars[written..], out int read, out int n, replaceInvalidSequences: false, isFinalBlock: flush);
                written += n;
                src = src[read..];
                switch (status)
                {
                    case System.Buffers.OperationStatus.Done:
                        return written;
                    case System.Buffers.OperationStatus.NeedMoreData: // an incomplete sequence at the end: keep it for the next block
                        src.CopyTo(_pending);
                        _pendingCount = src.Length;
                        return written;
                    case System.Buffers.OperationStatus.InvalidData:
                        if (written == chars.Length) throw new ArgumentException("destination too small", nameof(chars));
                        chars[written++] = (char)(0xDC00 + src[0]);
                        src = src[1..];
                        break;
                    default:
                        throw new ArgumentException("destination too small", nameof(chars));
                }
            }
        }
    }
}
