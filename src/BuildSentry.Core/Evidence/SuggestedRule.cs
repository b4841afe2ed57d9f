namespace BuildSentry.Core.Evidence;

/// <summary>One line of a suggested profile: the entry as written and the evidence for it, a YAML comment.</summary>
public sealed record SuggestedRule(string Entry, string Comment);
