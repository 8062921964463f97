namespace Nerve.Features;

/// <summary>Where a training step reads its windows: ids (B, C, F) and gold classes (B) of the given window indices.</summary>
internal interface IWindowSource
{
    int WindowWidth { get; }

    void Gather(ReadOnlySpan<int> windows, Span<int> ids, Span<int> labels);
}
