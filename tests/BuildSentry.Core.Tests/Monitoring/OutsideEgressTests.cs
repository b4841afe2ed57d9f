using System.Net;
using BuildSentry.Core.Alerts;
using BuildSentry.Core.Events;
using BuildSentry.Core.Monitoring;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using BuildSentry.Core.Reports;
using BuildSentry.Core.Tests.Jobs;
using static BuildSentry.Core.Tests.Jobs.TraceBuilder;

namespace BuildSentry.Core.Tests.Monitoring;

/// <summary>Egress that no job owns: allowed by the host profile, the exclusive host's one job's, or an unattributed-egress alert.</summary>
public sealed class OutsideEgressTests
{
    private const string Profiles = """
        name: build
        mode: MODE
        match: { ci: github }
        egress: [registry.test]
        ---
        name: host
        egress:
          - { host: mirror.test, ports: [80] }
          - { cidr: 198.18.0.123/32, ports: [123], protocol: udp }
        """;

    private static readonly IPAddress Registry = IPAddress.Parse("198.18.0.10");
    private static readonly IPAddress Mirror = IPAddress.Parse("198.18.0.20");
    private static readonly IPAddress Evil = IPAddress.Parse("198.18.0.66");

    private readonly RecordingAlerts _alerts = new();
    private readonly RecordingEnforcer _enforcer = new();
    private readonly RecordingReports _reports = new();
    private readonly TraceBuilder _trace = new();

    private JobMonitor Monitor(string mode = "audit", HostExclusivity exclusive = HostExclusivity.False, int perMinute = 20, int daemon = 0)
    {
        var loaded = ProfileLoader.Load("profiles.yaml", Profiles.Replace("MODE", mode));
        Assert.Empty(loaded.Diagnostics);
        var options = new MonitorOptions { Exclusive = exclusive, UnattributedAlertsPerMinute = perMinute, DaemonProcessId = daemon };
        return new JobMonitor(loaded.Profiles, options, _enforcer, _alerts, new NoPlacement(), _reports);
    }

    private static FlowKey Flow(IPAddress destination, int port, TransportProtocol protocol = TransportProtocol.Tcp, int sourcePort = 40000) =>
        new(protocol, IPAddress.Parse("198.18.0.1"), sourcePort, destination, port);

    private static FlowAttribution Owner(int pid) => new(Key(pid), 1, null);

    private TraceBuilder Job(string runId = "4711", int root = 10) => _trace.Spawn(Key(1), Key(root), "/bin/bash", GitHub(runId));

    /// <summary>A root service outside every job, and the helper it started on a job's request.</summary>
    private TraceBuilder Service() => _trace.Spawn(Key(1), Key(90), "/usr/bin/python3").Spawn(Key(90), Key(91), "/usr/bin/curl");

    private void Name(string name, IPAddress address) => _trace.Add(new DnsAnswerObserved(_trace.Now,
        Flow(IPAddress.Parse("198.18.0.2"), 53, TransportProtocol.Udp), 1, name, [new DnsRecord(name, DnsRecordType.A, 60, address, null)], 1));

    private void Run(JobMonitor monitor)
    {
        foreach (var e in _trace.Events)
        {
            monitor.Apply(e);
        }
    }

    [Fact]
    public void What_the_host_profile_allows_raises_nothing_and_is_counted()
    {
        var monitor = Monitor();
        Service();
        Name("mirror.test", Mirror);
        _trace.Add(new ConnectionAttempted(_trace.Now, Flow(Mirror, 80), Owner(91)));
        _trace.Add(new UdpFlowStarted(_trace.Now, Flow(IPAddress.Parse("198.18.0.123"), 123, TransportProtocol.Udp), Owner(90)));
        Run(monitor);

        Assert.Empty(_alerts.Alerts);
        Assert.Equal(2, monitor.Counters.HostAllowedFlows);
    }

    [Fact]
    public void On_a_shared_host_an_outside_process_reaching_evil_is_alerted_once_per_program_and_destination_without_a_job()
    {
        var monitor = Monitor("kill");
        Job();
        Service();
        Name("evil.test", Evil);
        Name("mirror.test", Mirror);
        _trace.Add(new ConnectionAttempted(_trace.Now, Flow(Evil, 80), Owner(91)));
        _trace.Add(new ConnectionAttempted(_trace.Now, Flow(Evil, 80, sourcePort: 40001), Owner(91)));
        _trace.Add(new ConnectionAttempted(_trace.Now, Flow(Mirror, 443), Owner(91)));
        Run(monitor);

        Assert.Equal(2, _alerts.Alerts.Count);
        var alert = _alerts.Alerts[0];
        Assert.Equal((AlertKinds.EgressUnattributed, AlertAction.Alerted, null), (alert.Kind, alert.Action, alert.Job));
        Assert.Equal((91, "/usr/bin/curl"), (alert.Process!.Pid, alert.Process.Exe));
        Assert.Equal([90], alert.Process.Ancestors.Select(a => a.Pid));
        Assert.Equal(["evil.test"], alert.Destination!.Names);
        Assert.Equal("host", alert.Profile);
        Assert.Contains("no egress rule of profile 'host' matches evil.test", alert.Reason);
        Assert.Contains("allowed by profile 'host' only on ports 80", _alerts.Alerts[1].Reason);
        Assert.Empty(_enforcer.Kills);
        Assert.Empty(_enforcer.ProcessesKilled);
        Assert.Equal((3, 2, 1), (monitor.Counters.UnattributedEgress, monitor.Counters.UnattributedEgressAlerted, monitor.Counters.UnattributedEgressRepeats));
    }

    [Fact]
    public void Unattributed_egress_alerts_are_bounded_per_minute_and_what_the_bound_drops_is_counted()
    {
        var monitor = Monitor(perMinute: 5);
        Service();
        for (var i = 0; i < 30; i++)
        {
            _trace.Add(new ConnectionAttempted(_trace.Now, Flow(IPAddress.Parse($"203.0.113.{i + 1}"), 443), Owner(91)));
        }

        _trace.Tick(61_000);
        _trace.Add(new ConnectionAttempted(_trace.Now, Flow(IPAddress.Parse("203.0.113.200"), 443), Owner(91)));
        Run(monitor);

        Assert.Equal(6, _alerts.Alerts.Count);
        Assert.Equal((31, 6, 25), (monitor.Counters.UnattributedEgress, monitor.Counters.UnattributedEgressAlerted, monitor.Counters.UnattributedEgressDropped));
    }

    [Fact]
    public void The_daemons_own_flows_are_nobodys_egress()
    {
        var monitor = Monitor(daemon: 90);
        Service();
        _trace.Add(new ConnectionAttempted(_trace.Now, Flow(Evil, 6514), Owner(90)));
        Run(monitor);

        Assert.Empty(_alerts.Alerts);
    }

    [Fact]
    public void On_an_exclusive_host_in_kill_mode_an_outside_helpers_egress_kills_the_job_and_the_helper_and_is_in_the_jobs_report()
    {
        var monitor = Monitor("kill", HostExclusivity.True);
        Job();
        Service();
        Name("evil.test", Evil);
        _trace.Add(new ConnectionAttempted(_trace.Now, Flow(Evil, 80), Owner(91)));
        Run(monitor);

        var alert = Assert.Single(_alerts.Alerts);
        Assert.Equal((AlertKinds.EgressConnection, AlertAction.Killed, "github-4711-1-build"), (alert.Kind, alert.Action, alert.Job!.JobId));
        Assert.Equal(91, alert.Process!.Pid);
        Assert.Equal("build", alert.Profile);
        Assert.Equal("github-4711-1-build", Assert.Single(_enforcer.Kills).JobId);
        Assert.Equal([Key(91)], _enforcer.ProcessesKilled);
        var state = Assert.Single(monitor.ActiveJobs);
        Assert.Equal(1, state.OutsideFlows);
        var destination = Assert.Single(state.Destinations.Values);
        Assert.Equal("91 /usr/bin/curl (outside the job)", destination.FirstProcess);
        Assert.Equal(1, JobReportBuilder.From(state).OutsideFlows);
        Assert.Equal(1, monitor.Counters.OutsideProcessesKilled);
    }

    [Fact]
    public void On_an_exclusive_host_an_outside_dns_query_is_judged_as_the_jobs_unless_the_host_profile_allows_the_name()
    {
        var monitor = Monitor("audit", HostExclusivity.True);
        Job();
        Service();
        var resolver = Flow(IPAddress.Parse("198.18.0.2"), 53, TransportProtocol.Udp);
        _trace.Add(new DnsQueryObserved(_trace.Now, resolver, 1, "mirror.test", 1, Owner(91)));
        _trace.Add(new DnsQueryObserved(_trace.Now, resolver, 2, "evil.test", 1, Owner(91)));
        Run(monitor);

        var alert = Assert.Single(_alerts.Alerts);
        Assert.Equal((AlertKinds.EgressDns, "github-4711-1-build", 91), (alert.Kind, alert.Job!.JobId, alert.Process!.Pid));
        Assert.Empty(_enforcer.ProcessesKilled);
        Assert.Equal(["evil.test"], Assert.Single(monitor.ActiveJobs).DnsNames.Keys);
    }

    [Fact]
    public void Allowed_outside_egress_on_an_exclusive_host_is_counted_in_the_job_and_raises_nothing()
    {
        var monitor = Monitor("kill", HostExclusivity.True);
        Job();
        Service();
        Name("registry.test", Registry);
        _trace.Add(new ConnectionAttempted(_trace.Now, Flow(Registry, 443), Owner(91)));
        Run(monitor);

        Assert.Empty(_alerts.Alerts);
        Assert.Empty(_enforcer.Kills);
        Assert.True(Assert.Single(Assert.Single(monitor.ActiveJobs).Destinations.Values).Allowed);
    }

    [Theory]
    [InlineData(HostExclusivity.Auto, false)]
    [InlineData(HostExclusivity.True, true)]
    public void With_auto_a_host_that_has_run_two_jobs_at_once_is_shared_from_then_on(HostExclusivity exclusive, bool judgedAsTheJobs)
    {
        var monitor = Monitor("audit", exclusive);
        Job("4711", 10);
        Job("4712", 20);
        _trace.Exit(Key(20));
        Service();
        _trace.Add(new ConnectionAttempted(_trace.Now, Flow(Evil, 80), Owner(91)));
        Run(monitor);

        var alert = Assert.Single(_alerts.Alerts);
        Assert.Equal(judgedAsTheJobs ? "github-4711-1-build" : null, alert.Job?.JobId);
        Assert.Equal(judgedAsTheJobs ? AlertKinds.EgressConnection : AlertKinds.EgressUnattributed, alert.Kind);
    }

    [Fact]
    public void With_two_jobs_running_outside_egress_is_nobodys_even_on_an_exclusive_host()
    {
        var monitor = Monitor("kill", HostExclusivity.True);
        Job("4711", 10);
        Job("4712", 20);
        Service();
        _trace.Add(new ConnectionAttempted(_trace.Now, Flow(Evil, 80), Owner(91)));
        Run(monitor);

        Assert.Equal(AlertKinds.EgressUnattributed, Assert.Single(_alerts.Alerts).Kind);
        Assert.Empty(_enforcer.Kills);
    }
}
