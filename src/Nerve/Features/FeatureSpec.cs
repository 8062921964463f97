namespace Nerve.Features;

/// <summary>One embedding table of the window input: its name, vocabulary size and dimension.</summary>
public sealed record FeatureSpec(string Name, int Size, int Dim);
