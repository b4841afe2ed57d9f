using System.Net;
using BuildSentry.Core.Events;
using BuildSentry.Core.Monitoring;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using BuildSentry.Core.Reports;
using BuildSentry.Core.Tests.Jobs;
using BuildSentry.Core.Tests.Monitoring;
using static BuildSentry.Core.Tests.Jobs.TraceBuilder;

namespace BuildSentry.Core.Tests.Reports;

/// <summary>Reports built the way the daemon builds them: a job driven through the monitor, then ended.</summary>
public sealed class JobReportTests
{
    private const string ProfileYaml = """
        name: build
        mode: audit
        match: { ci: github }
        egress:
          - { host: registry.test, ports: [443] }
        dns: [registry.test]
        """;

    private const string Hostile = "x\n# Job forged: CLEAN\u001b[2J|`]\"";

    private static readonly IPAddress Registry = IPAddress.Parse("198.18.0.10");
    private static readonly IPAddress Evil = IPAddress.Parse("198.18.0.66");

    private readonly RecordingReports _reports = new();
    private readonly TraceBuilder _trace = new();

    [Fact]
    public void A_finished_job_renders_every_section_in_text_and_JSON()
    {
        var report = RunJob(children: 3);

        var text = JobReportText.Render(report);
        foreach (var heading in new[] { "# Job github-4711-1-build: VIOLATIONS", "## Violations (", "## Destinations", "## DNS names queried", "## Processes", "## Sensor health" })
        {
            Assert.Contains(heading, text);
        }

        Assert.Contains("| 198.18.0.10:443/tcp | registry.test | allowed |", text);
        Assert.Contains("| 198.18.0.66:80/tcp | ", text);
        Assert.Contains("DENIED", text);
        Assert.Contains("- registry.test: allowed by ", text);
        Assert.Contains("process events lost: 7", text);
        Assert.Contains("WARNING: the sensors lost data", text);
        Assert.Equal("acme/app", report.Metadata["repository"]);
        Assert.Equal(7, report.Health.ProcessEventsLost);
        Assert.True(report.ViolationCount >= 2);
    }

    [Fact]
    public void Hostile_argv_and_names_are_escaped_in_the_text_and_survive_the_JSON_exactly()
    {
        var report = RunJob(children: 3);

        var text = JobReportText.Render(report);
        Assert.DoesNotContain(text, c => c < 0x20 && c != '\n');
        Assert.DoesNotContain("\n# Job forged", text);
        Assert.Single(text.Split('\n'), line => line.StartsWith("# Job", StringComparison.Ordinal));
        Assert.Contains(@"x\x0a# Job forged: CLEAN\x1b[2J\|'", text);

        var json = JobReportJson.Serialize(report);
        Assert.DoesNotContain(json, c => c < 0x20 && c is not '\n' and not ' ');
        var back = JobReportJson.Deserialize(json);
        Assert.Equal(json, JobReportJson.Serialize(back));
        Assert.Contains(back.Processes, p => p.Argv.Contains(Hostile));
        Assert.Contains(back.DnsNames, n => n.Name == Hostile);
    }

    [Fact]
    public void A_job_of_thousands_of_processes_lists_a_bounded_number_and_counts_the_rest()
    {
        var report = RunJob(children: 2_500);
        var limit = new MonitorOptions().MaxReportedProcesses;

        Assert.Equal(limit, report.Processes.Count);
        Assert.Equal(2_500 + 2 - limit, report.ProcessesNotListed);
        var text = JobReportText.Render(report);
        Assert.Contains($"({report.ProcessesNotListed} more processes not listed: the report is bounded.)", text);
        Assert.True(text.Length < 2_000_000, $"text is {text.Length} chars");
        Assert.Equal(report.ProcessesNotListed, JobReportJson.Deserialize(JobReportJson.Serialize(report)).ProcessesNotListed);
    }

    [Fact]
    public void A_flooding_job_shows_how_its_violations_were_alerted_and_what_its_bounds_dropped_in_text_and_JSON()
    {
        var job = new HostileJob(new MonitorOptions { HostName = "agent-1", MaxReportedDnsNames = 2, MaxReportedViolations = 4 });
        for (var i = 0; i < 10; i++)
        {
            job.Query($"x{i}.exfil.test");
        }

        var report = JobReportBuilder.From(job.End());

        var text = JobReportText.Render(report);
        Assert.Contains("Alerted one by one: 3; repeats of an alerted finding: 0; aggregated into 1 summary alert(s): 7 (at most 20 alerts per minute).", text);
        Assert.Contains("(6 more violations not listed: the report is bounded.)", text);
        Assert.Contains("(8 more DNS queries for names not listed: the report is bounded.)", text);
        Assert.Contains("[github-4711-1-build-summary-1] egress.dns, aggregated: DNS query for a name not in the profile: x3.exfil.test", text);
        using var json = System.Text.Json.JsonDocument.Parse(JobReportJson.Serialize(report));
        var alerting = json.RootElement.GetProperty("alerting");
        Assert.Equal((3, 7, 1), (alerting.GetProperty("alerted").GetInt64(), alerting.GetProperty("aggregated").GetInt64(), alerting.GetProperty("summaryAlerts").GetInt64()));
        var bounds = json.RootElement.GetProperty("bounds");
        Assert.Equal((8, 6), (bounds.GetProperty("dnsQueriesNotListed").GetInt64(), bounds.GetProperty("violationsNotListed").GetInt64()));
    }

    private JobReport RunJob(int children)
    {
        var loaded = ProfileLoader.Load("build.yaml", ProfileYaml);
        Assert.Empty(loaded.Diagnostics);
        var monitor = new JobMonitor(loaded.Profiles, new MonitorOptions { HostName = "agent-1" }, new RecordingEnforcer(), new RecordingAlerts(),
            new NoPlacement(), _reports);

        _trace.Spawn(Key(1), Key(10), "/bin/bash", GitHub());
        _trace.Fork(Key(10), Key(11)).Exec(Key(11), Details("/usr/bin/curl", null, "curl", Hostile));
        var client = new FlowAttribution(Key(11), 1, null);
        _trace.Add(new DnsQueryObserved(_trace.Now, Udp(53), 1, "registry.test", 1, client));
        _trace.Add(new DnsAnswerObserved(_trace.Now, Udp(53), 1, "registry.test", [new DnsRecord("registry.test", DnsRecordType.A, 60, Registry, null)], 1));
        _trace.Add(new DnsQueryObserved(_trace.Now, Udp(53), 2, Hostile, 1, client));
        _trace.Add(new ConnectionAttempted(_trace.Now, Tcp(Registry, 443), client));
        _trace.Add(new ConnectionAttempted(_trace.Now, Tcp(Evil, 80), client));
        _trace.Add(new SensorLoss(_trace.Now, "proc-connector", 7, "ENOBUFS"));
        for (var i = 0; i < children; i++)
        {
            _trace.Spawn(Key(10), Key(1000 + i), "/usr/bin/true").Exit(Key(1000 + i));
        }

        _trace.Exit(Key(11)).Exit(Key(10));
        foreach (var e in _trace.Events)
        {
            monitor.Apply(e);
        }

        return JobReportBuilder.From(Assert.Single(_reports.Ended));
    }

    private static FlowKey Tcp(IPAddress destination, int port) =>
        new(TransportProtocol.Tcp, IPAddress.Parse("198.18.0.1"), 40000 + port, destination, port);

    private static FlowKey Udp(int port) =>
        new(TransportProtocol.Udp, IPAddress.Parse("198.18.0.1"), 5353, IPAddress.Parse("198.18.0.2"), port);
}
