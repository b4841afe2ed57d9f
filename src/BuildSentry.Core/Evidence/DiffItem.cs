namespace BuildSentry.Core.Evidence;

/// <summary>One recorded thing whose verdict changes between the current and the proposed profile, and the jobs that
/// did it.</summary>
/// <param name="Before">The rule that allowed it, or why nothing did.</param>
/// <param name="After">The proposed profile's verdict.</param>
public sealed record DiffItem(string What, string Before, string After, IReadOnlyList<string> Jobs);
