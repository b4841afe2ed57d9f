using System.Diagnostics;
using System.Text.Json.Nodes;
using BuildSentry.Metrics;

namespace BuildSentry.Tests.Metrics;

/// <summary>
/// The exposition of a status as the daemon builds it, read back by prometheus_client's parsers (Debian's
/// python3-prometheus-client, which scripts/deps.sh installs): its OpenMetrics parser is strict about families,
/// suffixes, escapes and the closing # EOF.
/// </summary>
public sealed class StatusMetricsTests
{
    private const string Parser = """
        import sys
        from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics
        from prometheus_client.parser import text_string_to_metric_families as prometheus
        for family in (openmetrics if sys.argv[1] == "openmetrics" else prometheus)(sys.stdin.read()):
            for s in family.samples:
                labels = ",".join(f"{k}={v!r}" for k, v in sorted(s.labels.items()))
                print(f"{family.type} {s.name}{{{labels}}} {float(s.value)!r}")
        """;

    private const string HostileTarget = "tcp://siem\"a\\b\nc:514";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_status_counters_come_out_as_samples_with_the_same_values(bool openMetrics)
    {
        var text = StatusMetrics.Render(Status(), openMetrics);

        var samples = Parse(text, openMetrics ? "openmetrics" : "prometheus");

        Assert.Equal("counter 7.0", samples["buildsentry_jobs_started_total{}"]);
        Assert.Equal("gauge 1.0", samples["buildsentry_jobs_active{}"]);
        Assert.Equal("counter 40.0", samples["buildsentry_verdicts_total{verdict='allowed'}"]);
        Assert.Equal("counter 2.0", samples["buildsentry_kills_total{}"]);
        Assert.Equal("counter 3.0", samples["buildsentry_violations_total{handling='repeat'}"]);
        Assert.Equal("counter 11.0", samples[$"buildsentry_alert_target_sent_total{{target={Python(HostileTarget)}}}"]);
        Assert.Equal("gauge 4.0", samples[$"buildsentry_alert_target_queued{{target={Python(HostileTarget)}}}"]);
        Assert.Equal("histogram 1.0", samples["buildsentry_kill_latency_seconds_bucket{le='0.001'}"]);
        Assert.Equal("histogram 2.0", samples["buildsentry_kill_latency_seconds_bucket{le='+Inf'}"]);
        Assert.Equal("histogram 0.0035", samples["buildsentry_kill_latency_seconds_sum{}"]);
        Assert.Equal("gauge 2048.0", samples["buildsentry_memory_rss_bytes{}"]);
        Assert.Equal("gauge 1.0", samples["buildsentry_process_sensor_info{sensor='ebpf'}"]);
        // Capture is off: its counters are left out, not shown as 0.
        Assert.DoesNotContain("buildsentry_packets_dropped_total{}", samples.Keys);
        Assert.Equal(openMetrics, text.EndsWith("# EOF\n", StringComparison.Ordinal));
    }

    private static JsonObject Status()
    {
        var histogram = new Core.Monitoring.LatencyHistogram();
        histogram.Record(TimeSpan.FromMilliseconds(0.5));
        histogram.Record(TimeSpan.FromMilliseconds(3));
        return new JsonObject
        {
            ["jobs"] = new JsonArray((JsonNode)new JsonObject { ["id"] = "job-1" }),
            ["counters"] = new JsonObject
            {
                ["jobsStarted"] = 7L, ["jobsEnded"] = 6L, ["events"] = 900L, ["allowed"] = 40L, ["denied"] = 5L, ["kills"] = 2L, ["killsIncomplete"] = 0L,
                ["violationsAlerted"] = 2L, ["violationRepeats"] = 3L, ["violationsAggregated"] = 0L, ["alerts"] = 12L, ["summaryAlerts"] = 0L,
            },
            ["sensors"] = new JsonObject { ["processSensor"] = "ebpf", ["processEvents"] = 850L, ["processEventsLost"] = 0L, ["packetsDropped"] = null },
            ["alertTargets"] = new JsonArray((JsonNode)new JsonObject
            {
                ["target"] = HostileTarget, ["sent"] = 11L, ["queued"] = 4, ["dropped"] = 0L, ["failures"] = 1L, ["resent"] = 1L, ["refused"] = 0L,
            }),
            ["memory"] = new JsonObject { ["rssKb"] = 2L, ["peakRssKb"] = 3L, ["managedHeapKb"] = 1L },
            ["killLatency"] = BuildSentry.Daemon.StatusBuilder.KillLatency(histogram),
        };
    }

    private static string Python(string text) => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "'";

    private static Dictionary<string, string> Parse(string exposition, string format)
    {
        using var process = Process.Start(new ProcessStartInfo("/usr/bin/python3")
        {
            ArgumentList = { "-c", Parser, format }, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        process.StandardInput.Write(exposition);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"the {format} parser rejected the exposition: {error}\n{exposition}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToDictionary(
            l => l[(l.IndexOf(' ') + 1)..l.LastIndexOf(' ')], l => l[..l.IndexOf(' ')] + l[l.LastIndexOf(' ')..]);
    }
}
