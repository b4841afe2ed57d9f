using BuildSentry.Configuration;
using BuildSentry.Control;
using BuildSentry.Core.Alerts;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Daemon;

/// <summary>
/// Reloads the profiles and the configuration's policy keys (default mode and profile), on the monitor loop. An invalid
/// set is refused and the last good one stays in force; running jobs keep the profile they started with.
/// </summary>
internal sealed partial class ProfileReloader(DaemonOptions options, ProfileStore store, MonitorPipeline pipeline, TimeProvider time,
    ILogger<ProfileReloader> logger)
{
    /// <summary>Runs on the loop (under the monitor's lock).</summary>
    public ControlResponse Reload(string cause)
    {
        var monitor = pipeline.Monitor;
        var now = time.GetUtcNow();
        try
        {
            var configuration = options.ConfigurationPath is null && !File.Exists(DaemonConfiguration.DefaultPath)
                ? options.Configuration
                : ConfigurationLoader.Load(options.ConfigurationPath);
            var (profiles, problems, directory) = ProfileSource.Load(configuration);
            if (profiles is null)
            {
                var first = problems.Count > 0 ? problems[0].ToString() : "unknown problem";
                foreach (var problem in problems)
                {
                    LogProfileProblem(problem.ToString());
                }

                monitor.RaiseDaemonAlert(now, AlertKinds.DaemonReloadFailed, "Reload refused: invalid profiles", AlertSeverity.Warning,
                    $"{problems.Count} problem(s) in {directory}, first: {first}; the previous profiles stay in force");
                return ControlResponse.Refused($"invalid profiles ({problems.Count} problem(s)), first: {first}; the previous profiles stay in force");
            }

            monitor.ReplaceProfiles(profiles, configuration.DefaultMode);
            store.Directory = directory;
            monitor.RaiseDaemonAlert(now, AlertKinds.DaemonReloaded, "Configuration reloaded", AlertSeverity.Info,
                $"{cause}: {profiles.Profiles.Count} profiles from {directory}");
            LogReloaded(profiles.Profiles.Count, cause);
            return new ControlResponse(true, $"reloaded {profiles.Profiles.Count} profiles from {directory}");
        }
        catch (ConfigurationException ex)
        {
            monitor.RaiseDaemonAlert(now, AlertKinds.DaemonReloadFailed, "Reload refused: invalid configuration", AlertSeverity.Warning, ex.Message);
            return ControlResponse.Refused($"invalid configuration: {ex.Message}");
        }
    }

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Profile problem: {Problem}")]
    private partial void LogProfileProblem(string problem);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Reloaded {Profiles} profiles ({Cause})")]
    private partial void LogReloaded(int profiles, string cause);
}
