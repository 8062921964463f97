namespace Nerve.Evaluation;

/// <summary>Chunk scores of one entity type; percentages as conlleval computes them (0 when undefined).</summary>
public sealed record ConllTypeScore(string Type, double Precision, double Recall, double F1, long Found, long Gold, long Correct);
