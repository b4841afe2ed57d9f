using System.Text.Json;
using System.Text.Json.Nodes;
using BuildSentry.Control;

namespace BuildSentry.Daemon;

/// <summary>What <c>buildsentry status</c> shows: active jobs, the monitor's totals, the sensors, the alert targets, memory.</summary>
internal sealed class StatusBuilder(MonitorPipeline pipeline, Sensors sensors, AlertTargets alerts, ProfileStore profiles,
    JobPlacementSetup placement, KillWaiter killWaiter)
{
    /// <summary>Runs on the loop (under the monitor's lock).</summary>
    public ControlResponse Build()
    {
        var jobs = new JsonArray();
        foreach (var state in pipeline.Monitor.ActiveJobs.OrderBy(s => s.Job.StartedAt))
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

        var c = pipeline.Monitor.Counters;
        var body = new JsonObject
        {
            ["jobs"] = jobs,
            ["counters"] = new JsonObject
            {
                ["events"] = c.Events, ["allowed"] = c.Allowed, ["denied"] = c.Denied, ["alerts"] = c.Alerts, ["kills"] = c.Kills, ["killsIncomplete"] = c.KillsIncomplete, ["killsWaitingForExit"] = killWaiter.Waiting, ["killsAheadOfOwner"] = c.KillsAheadOfOwner,
                ["jobsStarted"] = c.JobsStarted, ["jobsEnded"] = c.JobsEnded, ["unattributedFlows"] = c.UnattributedFlows,
                ["kernelAttributedFlows"] = c.KernelAttributedFlows,
                ["hostAllowedFlows"] = c.HostAllowedFlows, ["outsideFlowsJudged"] = c.OutsideFlowsJudged,
                ["outsideProcessesKilled"] = c.OutsideProcessesKilled, ["unattributedEgress"] = c.UnattributedEgress,
                ["unattributedEgressAlerted"] = c.UnattributedEgressAlerted, ["unattributedEgressRepeats"] = c.UnattributedEgressRepeats,
                ["unattributedEgressDropped"] = c.UnattributedEgressDropped,
                ["violations"] = c.Violations, ["violationsAlerted"] = c.ViolationsAlerted, ["violationRepeats"] = c.ViolationRepeats,
                ["violationsAggregated"] = c.ViolationsAggregated, ["summaryAlerts"] = c.SummaryAlerts, ["jobsAtLimits"] = c.JobsAtLimits,
                ["entriesNotKept"] = c.EntriesNotKept, ["nameCacheEvicted"] = pipeline.Monitor.Names.Evicted,
            },
            ["sensors"] = SensorsJson(),
            ["alertTargets"] = new JsonArray(alerts.Syslog.Select(s => (JsonNode)new JsonObject
            {
                ["target"] = s.Target.ToString(), ["sent"] = s.Sent, ["queued"] = s.Queued, ["dropped"] = s.Dropped, ["failures"] = s.Failures,
                ["resent"] = s.Resent, ["refused"] = s.Refused,
            }).ToArray()),
            ["profiles"] = new JsonObject { ["directory"] = profiles.Directory, ["count"] = pipeline.Monitor.Profiles.Profiles.Count },
            ["memory"] = Memory(),
            ["killLatency"] = KillLatency(c.KillLatency),
        };
        return new ControlResponse(true, $"{pipeline.Monitor.ActiveJobs.Count} active job(s)") { Body = body };
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


    /// <summary>From the finding to the kill's signal: the observations at or below each bound (seconds), cumulative.</summary>
    internal static JsonObject KillLatency(Core.Monitoring.LatencyHistogram histogram)
    {
        var cumulative = histogram.Cumulative();
        var buckets = new JsonArray();
        for (var i = 0; i < cumulative.Count; i++)
        {
            buckets.Add((JsonNode)new JsonObject
            {
                ["le"] = i < Core.Monitoring.LatencyHistogram.UpperBounds.Length ? Core.Monitoring.LatencyHistogram.UpperBounds[i] : null,
                ["count"] = cumulative[i],
            });
        }

        return new JsonObject { ["count"] = histogram.Count, ["sumSeconds"] = histogram.SumSeconds, ["buckets"] = buckets };
    }

    private JsonObject SensorsJson()
    {
        var process = sensors.Process?.Counters;
        var network = sensors.Network?.Counters;
        return new JsonObject
        {
            ["processEvents"] = process?.EventsReceived, ["processEventsLost"] = process?.EventsLost,
            ["processRescans"] = process?.Rescans, ["processExecsUnread"] = process?.ExecsUnread,
            ["processSensor"] = sensors.Process?.Name, ["processSensorFallback"] = sensors.FallbackReason,
            ["processSensorFault"] = sensors.Process?.Fault?.Message,
            // "niceAndShortSlice" as shipped; "nice" or "default" where the kernel or a seccomp filter refused.
            ["processReaderScheduling"] = sensors.Process is null ? null : SensorHealth.SchedulingName(sensors.Process.ReaderScheduling),
            ["capture"] = sensors.Network is null ? "off" : "on",
            // "nice" (-10) as shipped, "default" without CAP_SYS_NICE.
            ["captureScheduling"] = sensors.Network is null ? null : SensorHealth.SchedulingName(sensors.Network.CaptureScheduling),
            ["framesCaptured"] = network?.Frames, ["connections"] = network?.Connections, ["dnsQueries"] = network?.DnsQueries,
            // Flow owners the eBPF sensor's socket-owner map named, and flows nobody could be found for.
            ["flowOwnersFromKernel"] = sensors.Network?.KernelOwnedFlows, ["flowsUnattributed"] = network?.Unattributed,
            ["findingsHeldForOwner"] = pipeline.AwaitingOwner.Held, ["findingsLeftOwnerUnknown"] = pipeline.AwaitingOwner.LeftUnknown,
            ["findingsLeftOnTimeout"] = pipeline.AwaitingOwner.LeftOnTimeout, ["longestOwnerWaitMs"] = pipeline.AwaitingOwner.LongestWaitMs,
            ["packetsDropped"] = pipeline.Monitor.Counters.PacketsDropped, ["captureFault"] = sensors.Network?.Fault?.Message,
            // Prevent mode: "kernel" where jobs are held to their allowlist, else "killMode" with the reason.
            ["preventMode"] = sensors.PreventUnavailable is null ? "kernel" : "killMode", ["preventUnavailable"] = sensors.PreventUnavailable,
            ["jobsPrevented"] = placement.Slots.JobsPrevented, ["preventFailures"] = placement.Slots.PreventFailures,
            ["lastPreventFailure"] = placement.Slots.LastPreventFailure,
            ["dnsForwarderPort"] = sensors.Forwarders.Count == 0 ? null : sensors.Forwarders[0].UdpEndPoint.Port,
            ["dnsForwarderQueries"] = sensors.Forwarders.Sum(f => f.Counters.Queries),
            ["dnsForwarderRefused"] = sensors.Forwarders.Sum(f => f.Counters.Refused),
            ["dnsForwarderUpstreamTimeouts"] = sensors.Forwarders.Sum(f => f.Counters.UpstreamTimeouts),
            // Job network namespaces (containers, unshare) where the forwarder listens too, and requests it could not serve.
            ["dnsForwarderNamespaces"] = sensors.ForwarderNamespaces.Open, ["dnsForwarderNamespaceFailures"] = sensors.ForwarderNamespaces.Failures,
            // Processes the kernel stopped at exec until their namespace's forwarder listened, continued; of them those
            // continued without it after the bound, and the longest wait.
            ["namespaceStopsContinued"] = sensors.Stops?.Continued, ["namespaceStopsTimedOut"] = sensors.Stops?.TimedOut,
            ["namespaceStopLongestMs"] = sensors.Stops is { } stops ? Math.Round(stops.LongestWait.TotalMilliseconds, 2) : null,
            ["kernelAttribution"] = placement.KernelTags is null ? "off" : "on",
            ["kernelRecords"] = placement.KernelTags?.Records, ["kernelRecordOverruns"] = placement.KernelTags?.Overruns,
            ["kernelJobsWithoutSlot"] = placement.KernelTags?.JobsWithoutSlot,
            // Moves into job cgroups; slow ones waited in the kernel (see the log line 4107).
            ["cgroupMoves"] = placement.Placement.Moves, ["cgroupMovesSlow"] = placement.Placement.SlowMoves,
            ["cgroupLongestMoveMs"] = Math.Round(placement.Placement.LongestMove.TotalMilliseconds, 2),
            // Docker's API socket: "off", "absent: ...", "watching PATH" or "reconnecting to PATH: why".
            ["docker"] = sensors.Docker?.State ?? "off", ["dockerEvents"] = sensors.Docker?.Events,
            ["dockerFailures"] = sensors.Docker?.Failures,
            ["containersAmbiguous"] = pipeline.Monitor.Tracker.ContainersAmbiguous,
        };
    }
}
