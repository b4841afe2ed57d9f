using System.Text.Json;
using System.Text.Json.Nodes;
using BuildSentry.Control;
using BuildSentry.Core.Alerts;

namespace BuildSentry.Daemon;

internal sealed partial class MonitorService
{
    private ControlResponse Status()
    {
        var jobs = new JsonArray();
        foreach (var state in _monitor.ActiveJobs.OrderBy(s => s.Job.StartedAt))
        {
            var job = state.Job;
            // The JsonNode overload: Add<T> (which the JsonObject argument would pick) needs reflection (IL2026/IL3050 under AOT).
            jobs.Add((JsonNode)new JsonObject
            {
                ["id"] = job.Id,
                ["ci"] = job.Metadata.CiSystem,
                ["repository"] = job.Metadata.Repository,
                ["profile"] = state.Profile?.Name,
                ["mode"] = state.Mode.ToString().ToLowerInvariant(),
                ["rootPid"] = job.Root.Pid,
                ["processes"] = job.LiveProcesses,
                ["violations"] = state.ViolationCount, ["violationsAggregated"] = state.ViolationsAggregated,
                ["killed"] = job.KilledAt?.ToString("O"),
                ["cgroup"] = job.CgroupPath,
            });
        }

        var c = _monitor.Counters;
        var body = new JsonObject
        {
            ["jobs"] = jobs,
            ["counters"] = new JsonObject
            {
                ["events"] = c.Events, ["allowed"] = c.Allowed, ["denied"] = c.Denied, ["alerts"] = c.Alerts, ["kills"] = c.Kills, ["killsAheadOfOwner"] = c.KillsAheadOfOwner,
                ["jobsStarted"] = c.JobsStarted, ["jobsEnded"] = c.JobsEnded, ["unattributedFlows"] = c.UnattributedFlows,
                ["kernelAttributedFlows"] = c.KernelAttributedFlows,
                ["violations"] = c.Violations, ["violationsAlerted"] = c.ViolationsAlerted, ["violationRepeats"] = c.ViolationRepeats,
                ["violationsAggregated"] = c.ViolationsAggregated, ["summaryAlerts"] = c.SummaryAlerts, ["jobsAtLimits"] = c.JobsAtLimits,
                ["entriesNotKept"] = c.EntriesNotKept, ["nameCacheEvicted"] = _monitor.Names.Evicted,
            },
            ["sensors"] = Sensors(),
            ["alertTargets"] = new JsonArray(_syslogSinks.Select(s => (JsonNode)new JsonObject
            {
                ["target"] = s.Target.ToString(), ["sent"] = s.Sent, ["queued"] = s.Queued, ["dropped"] = s.Dropped, ["failures"] = s.Failures,
                ["resent"] = s.Resent, ["refused"] = s.Refused,
            }).ToArray()),
            ["profiles"] = new JsonObject { ["directory"] = _profilesDirectory, ["count"] = _monitor.Profiles.Profiles.Count },
            ["memory"] = Memory(),
        };
        return new ControlResponse(true, $"{_monitor.ActiveJobs.Count} active job(s)") { Body = body };
    }

    /// <summary>The daemon's own memory, so a growing daemon shows before it is a problem.</summary>
    private static JsonObject Memory()
    {
        var probe = new Replay.MemoryProbe();
        probe.Sample();
        return new JsonObject
        {
            ["rssKb"] = probe.LastRss / 1024,
            ["peakRssKb"] = probe.PeakRss / 1024,
            ["managedHeapKb"] = probe.LastManaged / 1024,
            // As of the last collection (0 before the first).
            ["managedCommittedKb"] = GC.GetGCMemoryInfo().TotalCommittedBytes / 1024,
            ["gcCount"] = GC.CollectionCount(0),
        };
    }

    private static string SchedulingName(Linux.Interop.ThreadScheduling scheduling) => JsonNamingPolicy.CamelCase.ConvertName(scheduling.ToString());

    private JsonObject Sensors()
    {
        var process = _processSensor?.Counters;
        var network = _networkSensor?.Counters;
        return new JsonObject
        {
            ["processEvents"] = process?.EventsReceived, ["processEventsLost"] = process?.EventsLost,
            ["processRescans"] = process?.Rescans, ["processExecsUnread"] = process?.ExecsUnread,
            ["processSensorFault"] = _processSensor?.Fault?.Message,
            // "niceAndShortSlice" as shipped; "nice" or "default" where the kernel or a seccomp filter refused.
            ["processReaderScheduling"] = _processSensor is null ? null : SchedulingName(_processSensor.ReaderScheduling),
            ["capture"] = _networkSensor is null ? "off" : "on",
            // "nice" (-10) as shipped, "default" without CAP_SYS_NICE.
            ["captureScheduling"] = _networkSensor is null ? null : SchedulingName(_networkSensor.CaptureScheduling),
            ["framesCaptured"] = network?.Frames, ["connections"] = network?.Connections, ["dnsQueries"] = network?.DnsQueries,
            ["findingsHeldForOwner"] = _awaitingOwner?.Held, ["findingsLeftOwnerUnknown"] = _awaitingOwner?.LeftUnknown,
            ["findingsLeftOnTimeout"] = _awaitingOwner?.LeftOnTimeout, ["longestOwnerWaitMs"] = _awaitingOwner?.LongestWaitMs,
            ["packetsDropped"] = _monitor.Counters.PacketsDropped, ["captureFault"] = _networkSensor?.Fault?.Message,
            ["kernelAttribution"] = _kernelTags is null ? "off" : "on",
            ["kernelRecords"] = _kernelTags?.Records, ["kernelRecordOverruns"] = _kernelTags?.Overruns,
            ["kernelJobsWithoutSlot"] = _kernelTags?.JobsWithoutSlot,
            // Moves into job cgroups; slow ones waited in the kernel (see the log line 4107).
            ["cgroupMoves"] = _placement?.Moves, ["cgroupMovesSlow"] = _placement?.SlowMoves,
            ["cgroupLongestMoveMs"] = _placement is null ? null : Math.Round(_placement.LongestMove.TotalMilliseconds, 2),
        };
    }

    /// <summary>
    /// Reloads profiles and the configuration's policy keys (default mode and profile). An invalid set
    /// is refused and the last good one stays in force; running jobs keep the profile they started with.
    /// </summary>
    private ControlResponse Reload(string cause)
    {
        var now = _time.GetUtcNow();
        try
        {
            var configuration = _options.ConfigurationPath is null && !File.Exists(Configuration.DaemonConfiguration.DefaultPath)
                ? _options.Configuration
                : Configuration.ConfigurationLoader.Load(_options.ConfigurationPath);
            var (profiles, problems, directory) = ProfileSource.Load(configuration);
            if (profiles is null)
            {
                var first = problems.Count > 0 ? problems[0].ToString() : "unknown problem";
                foreach (var problem in problems)
                {
                    LogProfileProblem(problem.ToString());
                }

                _monitor.RaiseDaemonAlert(now, AlertKinds.DaemonReloadFailed, "Reload refused: invalid profiles", AlertSeverity.Warning,
                    $"{problems.Count} problem(s) in {directory}, first: {first}; the previous profiles stay in force");
                return ControlResponse.Refused($"invalid profiles ({problems.Count} problem(s)), first: {first}; the previous profiles stay in force");
            }

            _monitor.ReplaceProfiles(profiles, configuration.DefaultMode);
            _profilesDirectory = directory;
            _monitor.RaiseDaemonAlert(now, AlertKinds.DaemonReloaded, "Configuration reloaded", AlertSeverity.Info,
                $"{cause}: {profiles.Profiles.Count} profiles from {directory}");
            LogReloaded(profiles.Profiles.Count, cause);
            return new ControlResponse(true, $"reloaded {profiles.Profiles.Count} profiles from {directory}");
        }
        catch (Configuration.ConfigurationException ex)
        {
            _monitor.RaiseDaemonAlert(now, AlertKinds.DaemonReloadFailed, "Reload refused: invalid configuration", AlertSeverity.Warning, ex.Message);
            return ControlResponse.Refused($"invalid configuration: {ex.Message}");
        }
    }
}
