namespace BuildSentry.Core.Profiles;

/// <summary>
/// The outcome of loading: the profiles that resolved cleanly and every problem found. A caller that
/// enforces (the daemon) should refuse the whole set when <see cref="Succeeded"/> is false.
/// </summary>
public sealed record ProfileLoadResult(ProfileSet Profiles, IReadOnlyList<ProfileDiagnostic> Diagnostics)
{
    public bool Succeeded => Diagnostics.Count == 0;
}
