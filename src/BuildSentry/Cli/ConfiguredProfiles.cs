using System.CommandLine;
using BuildSentry.Configuration;

namespace BuildSentry.Cli;

/// <summary>The profile set in force: given on the command line, else the daemon's profiles directory (<c>profiles_dir</c>
/// of <c>--config</c>, else /etc/buildsentry/profiles, else the shipped set).</summary>
internal static class ConfiguredProfiles
{
    public static Option<string?> ConfigOption() =>
        new("--config") { Description = $"The daemon's configuration file, for its profiles directory (default {DaemonConfiguration.DefaultPath})." };

    /// <returns>A usage error, or null with <paramref name="paths"/> set.</returns>
    public static string? Resolve(string[]? given, string? configPath, out string[] paths)
    {
        paths = given ?? [];
        if (paths.Length > 0)
        {
            return paths.FirstOrDefault(p => !File.Exists(p) && !Directory.Exists(p)) is { } missing
                ? $"'{missing}' is neither a profile file nor a directory"
                : null;
        }

        try
        {
            var directory = ConfigurationLoader.ProfilesDirectory(ConfigurationLoader.Load(configPath));
            paths = [directory];
            return Directory.Exists(directory) ? null : $"the profiles directory {directory} does not exist";
        }
        catch (ConfigurationException ex)
        {
            return ex.Message;
        }
    }
}
