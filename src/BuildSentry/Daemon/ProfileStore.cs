using BuildSentry.Core.Profiles;

namespace BuildSentry.Daemon;

/// <summary>The profile set in force and where it came from; loaded and checked before the host starts.</summary>
internal sealed class ProfileStore(ProfileSet profiles, string directory)
{
    public ProfileSet Initial { get; } = profiles;

    /// <summary>The directory of the set in force (a reload may change it).</summary>
    public string Directory { get; set; } = directory;
}
