using BuildSentry.Configuration;
using BuildSentry.Core.Profiles;
using BuildSentry.Profiles;

namespace BuildSentry.Daemon;

/// <summary>Loads the profile set the configuration names; any diagnostic makes the whole set invalid.</summary>
internal static class ProfileSource
{
    public static (ProfileSet? Profiles, IReadOnlyList<ProfileDiagnostic> Problems, string Directory) Load(DaemonConfiguration configuration)
    {
        var directory = ConfigurationLoader.ProfilesDirectory(configuration);
        if (!System.IO.Directory.Exists(directory))
        {
            return (null, [new ProfileDiagnostic(directory, 1, 1, "the profiles directory does not exist", "set profiles_dir in the configuration")], directory);
        }

        var (texts, problems) = ProfileFiles.Read(ProfileFiles.Expand([directory]));
        var loaded = ProfileLoader.Load(texts, configuration.DefaultProfile);
        problems.AddRange(loaded.Diagnostics);
        if (texts.Count == 0)
        {
            problems.Add(new ProfileDiagnostic(directory, 1, 1, "no *.yaml profile in the profiles directory", null));
        }

        return (problems.Count == 0 ? loaded.Profiles : null, problems, directory);
    }
}
