using System.Net;
using BuildSentry.Core.Events;
using BuildSentry.Core.Monitoring;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using BuildSentry.Core.Reports;
using BuildSentry.Core.Tests.Monitoring;
using static BuildSentry.Core.Tests.Jobs.TraceBuilder;

namespace BuildSentry.Core.Tests.Reports;

/// <summary>Every violation of a report names the smallest profile edit that would allow it, and that edit does.</summary>
public sealed class ViolationFixTests
{
    internal const string Tools = """
        name: tools
        processes: { deny: [nc] }
        """;

    internal const string Web = """
        name: web
        extends: [tools]
        match: { ci: github }
        egress:
          - { host: registry.test, ports: [443], protocol: tcp }
        """;

    private static readonly IPAddress Api = IPAddress.Parse("198.18.0.20");
    private static readonly IPAddress Literal = IPAddress.Parse("198.18.0.66");
    private static readonly IPAddress LiteralV6 = IPAddress.Parse("fd00:b5e:1ab::66");

    [Fact]
    public void Each_violation_carries_the_line_to_add_and_the_file_to_add_it_to()
    {
        var report = Run();

        Assert.Equal(
            [
                "add \"- api.example.test\" to dns of profile 'web' in profiles/web.yaml",
                "add \"- { host: api.example.test, ports: [8443], protocol: tcp }\" to egress of profile 'web' in profiles/web.yaml",
                "add \"- { cidr: 198.18.0.66/32, ports: [9000], protocol: tcp }\" to egress of profile 'web' in profiles/web.yaml",
                "add \"- { cidr: \"fd00:b5e:1ab::66/128\", ports: [5000], protocol: udp }\" to egress of profile 'web' in profiles/web.yaml",
                "remove \"nc\" from processes.deny in profiles/tools.yaml (line 2)",
            ],
            report.Violations.Select(v => v.Fix));
        var text = JobReportText.Render(report);
        Assert.Contains("  - fix: add \"- { host: api.example.test, ports: [8443], protocol: tcp }\" to egress of profile 'web' in profiles/web.yaml", text);
        Assert.Equal(report.Violations.Select(v => v.Fix), JobReportJson.Deserialize(JobReportJson.Serialize(report)).Violations.Select(v => v.Fix));
        Assert.Contains("\"fix\": ", JobReportJson.Serialize(report));
    }

    [Fact]
    public void The_suggested_lines_make_the_profile_allow_what_was_denied()
    {
        var report = Run();
        static string Line(string fix) => fix["add \"".Length..fix.LastIndexOf("\" to ", StringComparison.Ordinal)];
        var fixes = report.Violations.Select(v => v.Fix!).Where(f => f.StartsWith("add", StringComparison.Ordinal)).ToList();
        var web = Web + "\n" + string.Concat(fixes.Where(f => f.Contains("to egress", StringComparison.Ordinal)).Select(f => $"  {Line(f)}\n"))
            + "dns:\n" + string.Concat(fixes.Where(f => f.Contains("to dns", StringComparison.Ordinal)).Select(f => $"  {Line(f)}\n"));
        var loaded = ProfileLoader.Load([new ProfileText("profiles/tools.yaml", Tools), new ProfileText("profiles/web.yaml", web)]);
        Assert.Empty(loaded.Diagnostics);
        var profile = loaded.Profiles.Find("web")!;

        Assert.True(profile.EvaluateDnsQuery("api.example.test").Allowed);
        Assert.True(profile.EvaluateConnection(["api.example.test"], Api, 8443, TransportProtocol.Tcp).Allowed);
        Assert.True(profile.EvaluateConnection([], Literal, 9000, TransportProtocol.Tcp).Allowed);
        Assert.True(profile.EvaluateConnection([], LiteralV6, 5000, TransportProtocol.Udp).Allowed);
        Assert.False(profile.EvaluateConnection([], Literal, 9001, TransportProtocol.Tcp).Allowed);
    }

    internal static JobReport Run()
    {
        var loaded = ProfileLoader.Load([new ProfileText("profiles/tools.yaml", Tools), new ProfileText("profiles/web.yaml", Web)]);
        Assert.Empty(loaded.Diagnostics);
        var reports = new RecordingReports();
        var monitor = new JobMonitor(loaded.Profiles, new MonitorOptions { HostName = "agent-1" }, new RecordingEnforcer(), new RecordingAlerts(),
            new NoPlacement(), reports);
        var trace = new Jobs.TraceBuilder();
        trace.Spawn(Key(1), Key(10), "/bin/bash", GitHub());
        trace.Fork(Key(10), Key(11)).Exec(Key(11), Details("/usr/bin/curl", null, "curl"));
        var client = new FlowAttribution(Key(11), 1, null);
        var resolver = new FlowKey(TransportProtocol.Udp, IPAddress.Parse("198.18.0.1"), 5353, IPAddress.Parse("198.18.0.2"), 53);
        trace.Add(new DnsQueryObserved(trace.Now, resolver, 1, "API.example.test.", 1, client));
        trace.Add(new DnsAnswerObserved(trace.Now, resolver, 1, "api.example.test", [new DnsRecord("api.example.test", DnsRecordType.A, 60, Api, null)], 1));
        trace.Add(new ConnectionAttempted(trace.Now, Tcp(Api, 8443), client));
        trace.Add(new ConnectionAttempted(trace.Now, Tcp(Literal, 9000), client));
        trace.Add(new UdpFlowStarted(trace.Now, new FlowKey(TransportProtocol.Udp, IPAddress.Parse("fd00:b5e:1ab::1"), 40000, LiteralV6, 5000), client));
        trace.Spawn(Key(10), Key(12), "/usr/bin/nc").Exit(Key(12));
        trace.Exit(Key(11)).Exit(Key(10));
        foreach (var e in trace.Events)
        {
            monitor.Apply(e);
        }

        return JobReportBuilder.From(Assert.Single(reports.Ended));
    }

    private static FlowKey Tcp(IPAddress destination, int port) =>
        new(TransportProtocol.Tcp, IPAddress.Parse("198.18.0.1"), 40000 + port, destination, port);
}
