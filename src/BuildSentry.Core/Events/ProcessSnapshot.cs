namespace BuildSentry.Core.Events;

/// <summary>One process as a /proc scan saw it.</summary>
public sealed record ProcessSnapshot(ProcessKey Process, ProcessKey Parent, ProcessDetails Details);
