using System.Text.Json.Nodes;

namespace BuildSentry.Metrics;

/// <summary>
/// The metrics of what <c>buildsentry status</c> counts, read from the status itself so that the two never disagree:
/// jobs, verdicts, violations by how they were handled, kills and their latency, alerts by target, sensor loss, memory.
/// </summary>
internal static class StatusMetrics
{
    public static string Render(JsonObject status, bool openMetrics)
    {
        // Read back as parsed JSON, where numbers convert between types (an in-memory long will not read as a double).
        status = JsonNode.Parse(status.ToJsonString())!.AsObject();
        var m = new Exposition(openMetrics);
        var c = status["counters"]?.AsObject() ?? [];
        var s = status["sensors"]?.AsObject() ?? [];
        m.Gauge("buildsentry_jobs_active", "Jobs being monitored now.", status["jobs"]?.AsArray().Count);
        m.Counter("buildsentry_jobs_started", "Jobs started since the daemon started.", Value(c, "jobsStarted"));
        m.Counter("buildsentry_jobs_ended", "Jobs ended since the daemon started.", Value(c, "jobsEnded"));
        m.Counter("buildsentry_events", "Sensor events the monitor applied.", Value(c, "events"));
        m.Family("buildsentry_verdicts", "counter", "Connections and DNS queries judged against the profiles, by verdict.",
            [("verdict", "allowed", Value(c, "allowed")), ("verdict", "denied", Value(c, "denied"))]);
        m.Family("buildsentry_violations", "counter", "Violations by how they reached the SOC: alerted one by one, repeats of an alerted finding, aggregated into summary alerts.",
            [("handling", "alerted", Value(c, "violationsAlerted")), ("handling", "repeat", Value(c, "violationRepeats")),
             ("handling", "aggregated", Value(c, "violationsAggregated"))]);
        m.Counter("buildsentry_kills", "Jobs killed.", Value(c, "kills"));
        m.Counter("buildsentry_kills_incomplete", "Kills whose processes were not all gone within the wait, or whose signal failed.", Value(c, "killsIncomplete"));
        m.Counter("buildsentry_prevent_dns_refused", "DNS queries of prevent-mode jobs the forwarder answered with NXDOMAIN.", Value(s, "dnsForwarderRefused"));
        m.Counter("buildsentry_alerts", "Alerts raised (violations, kills, summaries, daemon health).", Value(c, "alerts"));
        m.Counter("buildsentry_summary_alerts", "Summary alerts sent for violations beyond the alert limits.", Value(c, "summaryAlerts"));
        if (status["killLatency"] is JsonObject latency)
        {
            var bounds = Metrics(latency["buckets"]).Select(b => ((double?)b["le"]?.GetValue<double>(), b["count"]!.GetValue<long>())).ToList();
            m.Histogram("buildsentry_kill_latency_seconds", "From the finding that killed a job to the kill's signal.", bounds,
                latency["sumSeconds"]!.GetValue<double>(), latency["count"]!.GetValue<long>());
        }

        var targets = Metrics(status["alertTargets"]).ToList();
        foreach (var (field, help) in new[] { ("sent", "Alerts sent"), ("dropped", "Alerts dropped from a full queue"), ("resent", "Alerts sent again after a reconnect"),
                     ("failures", "Delivery failures"), ("refused", "Alerts the target refused") })
        {
            m.Family($"buildsentry_alert_target_{field}", "counter", $"{help}, by alert target.",
                targets.Select(t => ("target", (string?)t["target"] ?? "", Value(t, field))));
        }

        m.Family("buildsentry_alert_target_queued", "gauge", "Alerts waiting in a target's queue.", targets.Select(t => ("target", (string?)t["target"] ?? "", Value(t, "queued"))));
        m.Counter("buildsentry_process_events", "Process events the process sensor received.", Value(s, "processEvents"));
        m.Counter("buildsentry_process_events_lost", "Process events the sensor lost (each followed by a /proc rescan).", Value(s, "processEventsLost"));
        m.Counter("buildsentry_process_rescans", "/proc rescans after a loss.", Value(s, "processRescans"));
        m.Counter("buildsentry_process_execs_unread", "Execs whose program could not be read before the process exited.", Value(s, "processExecsUnread"));
        m.Counter("buildsentry_packets_dropped", "Packets the capture dropped.", Value(s, "packetsDropped"));
        m.Counter("buildsentry_flows_unattributed", "Flows no job or process could be found for.", Value(s, "flowsUnattributed"));
        m.Counter("buildsentry_kernel_record_overruns", "Kernel attribution records lost to a full buffer.", Value(s, "kernelRecordOverruns"));
        m.Family("buildsentry_process_sensor_info", "gauge", "The process sensor in use (1).",
            (string?)s["processSensor"] is { } sensor ? [("sensor", sensor, 1)] : []);
        var memory = status["memory"]?.AsObject() ?? [];
        m.Gauge("buildsentry_memory_rss_bytes", "The daemon's resident memory.", Value(memory, "rssKb") * 1024);
        m.Gauge("buildsentry_memory_peak_rss_bytes", "The daemon's peak resident memory.", Value(memory, "peakRssKb") * 1024);
        m.Gauge("buildsentry_memory_managed_heap_bytes", "The daemon's managed heap.", Value(memory, "managedHeapKb") * 1024);
        return m.ToString();
    }

    private static double? Value(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    private static IEnumerable<JsonObject> Metrics(JsonNode? array) => array is JsonArray a ? a.OfType<JsonObject>() : [];
}
