using System.Text;

namespace Nerve.Vectors;

/// <summary>
/// Character n-grams of a word and their hash, exactly as fastText computes them (Bojanowski et al. 2017, §3.2):
/// the word is wrapped as "&lt;word&gt;", n counts UTF-8 characters, and an n-gram's row is FNV-1a(bytes) mod buckets.
/// </summary>
public static class Subwords
{
    private const uint FnvOffset = 2166136261;
    private const uint FnvPrime = 16777619;

    /// <summary>
    /// 32-bit FNV-1a over UTF-8 bytes, with fastText's quirk: each byte is sign-extended (int8 → uint32) before the XOR,
    /// so bytes ≥ 0x80 hash as 0xFFFFFFxx. ASCII is plain FNV-1a.
    /// </summary>
    public static uint Hash(ReadOnlySpan<byte> bytes)
    {
        var h = FnvOffset;
        foreach (var b in bytes)
        {
            h ^= (uint)(sbyte)b;
            h *= FnvPrime;
        }
        return h;
    }

    /// <summary>Hash of the UTF-8 encoding of <paramref name="text"/>.</summary>
    public static uint Hash(string text) => Hash(Encoding.UTF8.GetBytes(text));

    /// <summary>The n-grams of "&lt;word&gt;" with minn ≤ n ≤ maxn characters, in fastText's order (by start, then length), leaving out "&lt;" and "&gt;" alone.</summary>
    public static IReadOnlyList<string> NGrams(string word, int minn, int maxn)
    {
        var result = new List<string>();
        var wrapped = Encoding.UTF8.GetBytes("<" + word + ">");
        ForEach(wrapped, minn, maxn, (start, length) => result.Add(Encoding.UTF8.GetString(wrapped, start, length)));
        return result;
    }

    /// <summary>Appends the bucket of every n-gram of <paramref name="word"/> (offset by <paramref name="rowOffset"/>) to <paramref name="rows"/>.</summary>
    internal static void AddRows(string word, int minn, int maxn, int buckets, int rowOffset, List<int> rows)
    {
        if (maxn <= 0 || buckets <= 0)
            return;
        var wrapped = Encoding.UTF8.GetBytes("<" + word + ">");
        ForEach(wrapped, minn, maxn, (start, length) => rows.Add(rowOffset + (int)(Hash(wrapped.AsSpan(start, length)) % (uint)buckets)));
    }

    /// <summary>fastText's Dictionary::computeSubwords loop over byte offsets, skipping UTF-8 continuation bytes.</summary>
    private static void ForEach(byte[] w, int minn, int maxn, Action<int, int> visit)
    {
        for (var i = 0; i < w.Length; i++)
        {
            if (IsContinuation(w[i]))
                continue;
            var j = i;
            for (var n = 1; j < w.Length && n <= maxn; n++)
            {
                j++;
                while (j < w.Length && IsContinuation(w[j]))
                    j++;
                if (n >= minn && !(n == 1 && (i == 0 || j == w.Length)))
                    visit(i, j - i);
            }
        }
    }

    private static bool IsContinuation(byte b) => (b & 0xC0) == 0x80;
}
