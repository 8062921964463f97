namespace Nerve.Model;

/// <summary>
/// The distinct rows of an embedding table touched since the last <see cref="Clear"/>, in first-touch order:
/// sparse updates visit each row once however many windows used it (deduplicated within a batch).
/// </summary>
public sealed class RowSet
{
    private readonly bool[] _marked;
    private int[] _rows = new int[64];

    public RowSet(int capacity) => _marked = new bool[capacity];

    public int Count { get; private set; }

    public ReadOnlySpan<int> Rows => _rows.AsSpan(0, Count);

    public void Add(int row)
    {
        if (_marked[row]) return;
        _marked[row] = true;
        if (Count == _rows.Length) Array.Resize(ref _rows, _rows.Length * 2);
        _rows[Count++] = row;
    }

    public bool Contains(int row) => _marked[row];

    public void Clear()
    {
        foreach (int r in Rows) _marked[r] = false;
        Count = 0;
    }
}
