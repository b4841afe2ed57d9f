using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;
using Microsoft.Diagnostics.NETCore.Client;

namespace BuildSentry.Linux.Runners;

/// <summary>
/// Reads a .NET runner worker's job tracking id over the diagnostics IPC port. Runner.Worker sets
/// RUNNER_TRACKING_ID through Environment.SetEnvironmentVariable, which changes the runtime's copy of
/// the environment but not /proc/PID/environ, so only the runtime itself can tell.
/// </summary>
public static class RunnerWorkerProbe
{
    /// <summary>The CI system a worker belongs to, from its names alone (exe, comm, argv[0], or the
    /// assembly passed to the dotnet host); null for anything else. Cheap: no IPC.</summary>
    public static string? Recognize(ProcessDetails details)
    {
        foreach (var name in Names(details))
        {
            var file = Path.GetFileName(name.AsSpan());
            if (file is "Runner.Worker" or "Runner.Worker.dll")
            {
                return CiSystems.GitHub;
            }

            if (file is "Agent.Worker" or "Agent.Worker.dll")
            {
                return CiSystems.Azure;
            }
        }

        return null;
    }

    /// <summary>
    /// Asks the worker for its environment and keeps only <see cref="JobMarkers.Keys"/>. Null when the
    /// process is not a worker, has no diagnostics port (disabled, exited, other mount namespace), or has
    /// no tracking id yet: the worker sets it when it takes a job, so a caller probing at exec retries.
    /// </summary>
    public static RunnerWorkerDiscovered? TryDiscover(ProcessKey worker, ProcessDetails details, TimeProvider? time = null)
    {
        if (Recognize(details) is not { } ci)
        {
            return null;
        }

        Dictionary<string, string> environment;
        try
        {
            environment = new DiagnosticsClient(worker.Pid).GetProcessEnvironment();
        }
        catch (Exception e) when (e is ServerNotAvailableException or UnsupportedCommandException or ServerErrorException
            or IOException or TimeoutException or UnauthorizedAccessException)
        {
            return null;
        }

        // The whole environment (secrets included) arrives from the client library; only markers leave here.
        var markers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in JobMarkers.Keys)
        {
            if (environment.TryGetValue(key, out var value) && value.Length > 0)
            {
                markers[key] = value.Length > JobMarkers.MaxValueLength ? value[..JobMarkers.MaxValueLength] : value;
            }
        }

        environment.Clear();
        var trackingKey = ci == CiSystems.GitHub ? "RUNNER_TRACKING_ID" : "VSTS_PROCESS_LOOKUP_ID";
        if (!markers.TryGetValue(trackingKey, out var trackingId))
        {
            return null;
        }

        var metadata = new JobMetadata(ci, JobIds.Create(ci, trackingId)) { TrackingId = trackingId };
        if (JobMarkers.Detect(markers) is { } detected && detected.CiSystem == ci)
        {
            metadata = metadata.Enrich(detected);
        }

        return new RunnerWorkerDiscovered((time ?? TimeProvider.System).GetUtcNow(), worker, metadata);
    }

    private static IEnumerable<string> Names(ProcessDetails details)
    {
        yield return details.Exe;
        yield return details.Comm;
        if (details.Argv.Count > 0)
        {
            yield return details.Argv[0];
        }

        if (details.Argv.Count > 1)
        {
            yield return details.Argv[1];
        }
    }
}
