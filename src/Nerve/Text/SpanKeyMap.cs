using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nerve.Text;

/// <summary>
/// A map from strings to a small value, looked up by span, whose keys live in one shared character buffer: adding a
/// million keys allocates a handful of arrays instead of a million strings (which the GC would then copy as they
/// survive). Open addressing with linear probing over a power-of-two table; string.GetHashCode(span) (randomised per
/// process) spreads the keys. Not thread-safe for writes; concurrent reads are safe.
/// </summary>
internal sealed class SpanKeyMap<TValue> where TValue : struct
{
    private char[] _chars = new char[1024];
    private int _used;
    private long[] _slots = new long[16]; // hash in the high half, entry + 1 in the low half; 0 = empty (a probe reads no entry unless the hash matches)
    private Entry[] _entries = new Entry[8];
    private int _count;

    private struct Entry
    {
        public int Start, Length, Hash;
        public TValue Value;
    }

    public int Count => _count;

    /// <summary>The value stored for <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryGetValue(ReadOnlySpan<char> key, out TValue value)
    {
        int e = Find(key, string.GetHashCode(key), out _);
        value = e >= 0 ? _entries[e].Value : default;
        return e >= 0;
    }

    /// <summary>Stores <paramref name="value"/> for <paramref name="key"/>, replacing any value it had.</summary>
    public void Set(ReadOnlySpan<char> key, TValue value)
    {
        int hash = string.GetHashCode(key);
        int e = Find(key, hash, out int slot);
        if (e >= 0)
        {
            _entries[e].Value = value;
            return;
        }
        if (_used + key.Length > _chars.Length) Array.Resize(ref _chars, Math.Max(_used + key.Length, 2 * _chars.Length));
        key.CopyTo(_chars.AsSpan(_used));
        if (_count == _entries.Length) Array.Resize(ref _entries, 2 * _count);
        _entries[_count] = new Entry { Start = _used, Length = key.Length, Hash = hash, Value = value };
        _used += key.Length;
        _slots[slot] = Pack(hash, ++_count);
        if (2 * _count > _slots.Length) Rehash(2 * _slots.Length);
    }

    /// <summary>Every key (as a new string) with its value, in insertion order.</summary>
    public IEnumerable<(string Key, TValue Value)> Entries()
    {
        for (int e = 0; e < _count; e++)
            yield return (new string(_chars, _entries[e].Start, _entries[e].Length), _entries[e].Value);
    }

    /// <summary>The entry holding <paramref name="key"/>, or −1 with the empty slot where it would go.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Find(ReadOnlySpan<char> key, int hash, out int slot)
    {
        int mask = _slots.Length - 1;
        ref Entry entries = ref MemoryMarshal.GetArrayDataReference(_entries);
        for (slot = hash & mask; ; slot = (slot + 1) & mask)
        {
            long packed = _slots[slot];
            if (packed == 0) return -1;
            if ((int)(packed >> 32) != hash) continue;
            int e = (int)packed - 1;
            ref Entry entry = ref Unsafe.Add(ref entries, e);
            if (key.SequenceEqual(_chars.AsSpan(entry.Start, entry.Length))) return e;
        }
    }

    private static long Pack(int hash, int entryPlusOne) => ((long)hash << 32) | (uint)entryPlusOne;

    private void Rehash(int size)
    {
        _slots = new long[size];
        int mask = size - 1;
        for (int e = 0; e < _count; e++)
        {
            int slot = _entries[e].Hash & mask;
            while (_slots[slot] != 0) slot = (slot + 1) & mask;
            _slots[slot] = Pack(_entries[e].Hash, e + 1);
        }
    }
}
