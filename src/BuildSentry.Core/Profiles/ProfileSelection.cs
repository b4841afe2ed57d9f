namespace BuildSentry.Core.Profiles;

/// <summary>The profile chosen for a job (null when nothing matches and there is no default) and why.</summary>
public sealed record ProfileSelection(ResolvedProfile? Profile, JobSelector? Selector, string Reason);
