namespace BuildSentry.Core.Evidence;

public sealed record SummaryGroup(string Repository, string Workflow, int Jobs, int JobsWithViolations, IReadOnlyList<SummaryDestination> Destinations);
