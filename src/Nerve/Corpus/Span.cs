namespace Nerve.Corpus;

/// <summary>An entity of type <paramref name="Type"/> over tokens [<paramref name="Start"/>, <paramref name="End"/>).</summary>
public readonly record struct Span(int Start, int End, string Type)
{
    public int Length => End - Start;
}
