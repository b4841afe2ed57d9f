namespace BuildSentry.Core.Evidence;

/// <param name="Denied">Some job was denied it (in audit mode: alerted).</param>
public sealed record SummaryDestination(string Destination, int Jobs, long Attempts, bool Denied);
