using System.Net;
using BuildSentry.Core.Alerts;
using BuildSentry.Core.Events;
using BuildSentry.Core.Monitoring;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using BuildSentry.Core.Tests.Jobs;
using static BuildSentry.Core.Tests.Jobs.TraceBuilder;

namespace BuildSentry.Core.Tests.Monitoring;

public sealed class JobMonitorTests
{
    private const string ProfileYaml = """
        name: build
        mode: MODE
        match: { ci: github }
        egress:
          - { host: registry.test, ports: [80, 443] }
          - { cidr: 203.0.113.0/24 }
        dns: [probe.test]
        processes:
          deny: [nc]
        """;

    private static readonly IPAddress Registry = IPAddress.Parse("198.18.0.10");
    private static readonly IPAddress Evil = IPAddress.Parse("198.18.0.66");
    private static readonly IPAddress Resolver = IPAddress.Parse("198.18.0.2");

    private readonly RecordingAlerts _alerts = new();
    private RecordingEnforcer _enforcer = new();
    private readonly RecordingReports _reports = new();
    private readonly TraceBuilder _trace = new();

    private const int DaemonPid = 4242;

    private JobMonitor Monitor(string mode = "audit", TimeSpan lateFlowGrace = default)
    {
        var loaded = ProfileLoader.Load("build.yaml", ProfileYaml.Replace("MODE", mode));
        Assert.Empty(loaded.Diagnostics);
        return new JobMonitor(loaded.Profiles, new MonitorOptions { HostName = "agent-1", LateFlowGrace = lateFlowGrace, DaemonProcessId = DaemonPid }, _enforcer, _alerts,
            new NoPlacement(), _reports);
    }

    private static FlowAttribution Owner(ProcessKey key) => new(key, 1, null);

    private static FlowKey Tcp(IPAddress destination, int port, int sourcePort = 40000) =>
        new(TransportProtocol.Tcp, IPAddress.Parse("198.18.0.1"), sourcePort, destination, port);

    private TraceBuilder Job() => _trace
        .Spawn(Key(1), Key(10), "/bin/bash", GitHub())
        .Spawn(Key(10), Key(11), "/bin/sh")
        .Spawn(Key(11), Key(12), "/usr/bin/curl");

    private TraceBuilder Answer(string name, IPAddress address, params DnsRecord[] extra) => _trace.Add(new DnsAnswerObserved(
        _trace.Now, new FlowKey(TransportProtocol.Udp, IPAddress.Parse("198.18.0.1"), 5353, Resolver, 53), 1, name,
        [.. extra, new DnsRecord(extra.Length > 0 ? extra[^1].Target! : name, DnsRecordType.A, 60, address, null)], 1));

    private void Run(JobMonitor monitor)
    {
        foreach (var e in _trace.Events)
        {
            monitor.Apply(e);
        }
    }

    [Fact]
    public void An_allowed_connection_raises_no_alert_and_records_the_rule_that_allowed_it()
    {
        var monitor = Monitor();
        Job();
        Answer("registry.test", Registry);
        _trace.Add(new ConnectionAttempted(_trace.Now, Tcp(Registry, 443), Owner(Key(12))));
        Run(monitor);

        Assert.Empty(_alerts.Alerts);
        var state = Assert.Single(monitor.ActiveJobs);
        var destination = Assert.Single(state.Destinations.Values);
        Assert.True(destination.Allowed);
        Assert.Contains("registry.test", destination.Names);
        Assert.Contains("(build.yaml:5:", destination.Rule);
        Assert.Equal(1, monitor.Counters.Allowed);
    }

    [Fact]
    public void In_audit_mode_a_connection_to_an_unknown_host_alerts_with_job_process_and_host_and_kills_nothing()
    {
        var monitor = Monitor();
        Job();
        Answer("evil.test", Evil);
        _trace.Add(new ConnectionAttempted(_trace.Now, Tcp(Evil, 80), Owner(Key(12))));
        Run(monitor);

        var alert = Assert.Single(_alerts.Alerts);
        Assert.Equal(AlertKinds.EgressConnection, alert.Kind);
        Assert.Equal(AlertAction.Alerted, alert.Action);
        Assert.Equal("github-4711-1-build", alert.Job!.JobId);
        Assert.Equal("acme/app", alert.Job.Repository);
        Assert.Equal(12, alert.Process!.Pid);
        Assert.Equal("/usr/bin/curl", alert.Process.Exe);
        Assert.Equal([11, 10], alert.Process.Ancestors.Select(a => a.Pid));
        Assert.Equal(["evil.test"], alert.Destination!.Names);
        Assert.Equal("build", alert.Profile);
        Assert.Contains("evil.test", alert.Reason);
        Assert.Empty(_enforcer.Kills);
    }

    [Fact]
    public void In_kill_mode_the_first_violation_kills_every_process_of_the_job_including_a_daemonized_one()
    {
        var monitor = Monitor("kill");
        Job().Fork(Key(12), Key(20)).Fork(Key(20), Key(21)).Exit(Key(20)).Exec(Key(21), Details("/tmp/helper"));
        _trace.Spawn(Key(1), Key(99), "/usr/sbin/sshd");
        _trace.Add(new ConnectionAttempted(_trace.Now, Tcp(Evil, 80), Owner(Key(21))));
        _trace.Add(new ConnectionAttempted(_trace.Now, Tcp(Evil, 443, 40001), Owner(Key(21))));
        Run(monitor);

        var kill = Assert.Single(_enforcer.Kills);
        Assert.Equal([10, 11, 12, 21], kill.Members.Select(m => m.Pid).Order());
        Assert.Equal(2, _alerts.Alerts.Count);
        Assert.Equal(AlertAction.Killed, _alerts.Alerts[0].Action);
        Assert.Equal(AlertSeverity.Critical, _alerts.Alerts[0].Severity);
        Assert.Equal(AlertAction.Alerted, _alerts.Alerts[1].Action);
        var job = Assert.Single(monitor.ActiveJobs).Job;
        Assert.NotNull(job.KilledAt);
        Assert.StartsWith(_alerts.Alerts[0].Id, job.KilledBy);
    }

    [Fact]
    public void A_connect_the_kernel_refused_in_kill_mode_kills_the_job_and_a_refused_udp_connect_kills_nothing()
    {
        var monitor = Monitor("kill");
        Job();
        Answer("evil.test", Evil);
        // getaddrinfo's address sorting: a UDP connect, refused, carries nothing.
        _trace.Add(new ConnectionPrevented(_trace.Now, new FlowKey(TransportProtocol.Udp, IPAddress.Parse("198.18.0.1"), 0, Evil, 80),
            Owner(Key(12)) with { AtSyscall = true }) { UdpConnectOnly = true });
        Run(monitor);
        Assert.Empty(_enforcer.Kills);
        Assert.Empty(_alerts.Alerts);

        _trace.Add(new ConnectionPrevented(_trace.Now, Tcp(Evil, 80), Owner(Key(12)) with { AtSyscall = true }));
        monitor.Apply(_trace.Events[^1]);

        Assert.Single(_enforcer.Kills);
        var alert = Assert.Single(_alerts.Alerts);
        Assert.Equal((AlertKinds.EgressConnection, AlertAction.Killed), (alert.Kind, alert.Action));
    }

    [Fact]
    public void In_prevent_mode_a_connect_the_kernel_refused_is_alerted_as_prevented_and_kills_nothing()
    {
        var monitor = Monitor("prevent");
        Job();
        Answer("evil.test", Evil);
        Answer("registry.test", Registry);
        _trace.Add(new ConnectionPrevented(_trace.Now, Tcp(Evil, 80), Owner(Key(12)) with { AtSyscall = true }));
        // Refused although the profile allows it (the allowlist lacked the entry): still alerted, and says so.
        _trace.Add(new ConnectionPrevented(_trace.Now, Tcp(Registry, 443), Owner(Key(12)) with { AtSyscall = true }));
        Run(monitor);

        Assert.Empty(_enforcer.Kills);
        Assert.Equal(2, _alerts.Alerts.Count);
        Assert.All(_alerts.Alerts, a => Assert.Equal((AlertKinds.EgressConnection, AlertAction.Prevented), (a.Kind, a.Action)));
        Assert.Equal(["evil.test"], _alerts.Alerts[0].Destination!.Names);
        Assert.Equal("/usr/bin/curl", _alerts.Alerts[0].Process!.Exe);
        Assert.Contains("kernel allowlist, which had no entry", _alerts.Alerts[1].Reason);
        Assert.Null(Assert.Single(monitor.ActiveJobs).Job.KilledAt);
    }

    [Fact]
    public void A_flow_whose_socket_closed_unnamed_is_judged_for_the_job_the_kernel_matched_its_cgroup_to()
    {
        var monitor = Monitor("kill");
        Job();
        _trace.Spawn(Key(1), Key(99), "/usr/sbin/sshd");
        var query = new FlowKey(TransportProtocol.Udp, IPAddress.Parse("198.18.0.1"), 5300, Resolver, 53);
        Run(monitor);
        var job = Assert.Single(monitor.ActiveJobs).Job;

        monitor.Apply(new DnsQueryObserved(_trace.Now, query, 1, "evil.test", 1,
            FlowAttribution.Unattributed(1, "no socket has this tuple") with { KernelJob = job.Id }));
        monitor.Apply(new ConnectionAttempted(_trace.Now, Tcp(Evil, 80), FlowAttribution.Unattributed(1, "no socket") with { KernelJob = "another-job" }));

        var alert = Assert.Single(_alerts.Alerts, a => a.Job is not null);
        Assert.Equal(AlertKinds.EgressDns, alert.Kind);
        Assert.Equal(job.Id, alert.Job!.JobId);
        Assert.Null(alert.Process);
        Assert.Equal(AlertKinds.EgressUnattributed, Assert.Single(_alerts.Alerts, a => a.Job is null).Kind);
        Assert.Contains("not named", alert.Reason);
        Assert.Equal([10, 11, 12], Assert.Single(_enforcer.Kills).Members.Select(m => m.Pid).Order());
        Assert.Equal(1, monitor.Counters.KernelAttributedFlows);
        Assert.Equal(1, monitor.Counters.UnattributedFlows);
    }

    [Fact]
    public void A_query_from_a_socket_outside_the_job_in_the_jobs_network_namespace_is_the_jobs_naming_its_real_owner()
    {
        var monitor = Monitor("kill");
        Job();
        _trace.Spawn(Key(1), Key(99), "/usr/sbin/dockerd");
        var query = new FlowKey(TransportProtocol.Udp, IPAddress.Parse("172.31.250.2"), 5300, Resolver, 53);
        Run(monitor);
        var job = Assert.Single(monitor.ActiveJobs).Job;

        monitor.Apply(new DnsQueryObserved(_trace.Now, query, 1, "evil.test", 1, Owner(Key(99)) with { NamespaceMember = Key(12) }));
        // The daemon's own forwarder asks upstream from the job's namespace too: its queries were judged as it answered.
        monitor.Apply(new DnsQueryObserved(_trace.Now, query with { SourcePort = 5301 }, 2, "evil2.test", 1,
            Owner(new ProcessKey(DaemonPid, 1)) with { NamespaceMember = Key(12) }));

        var alert = Assert.Single(_alerts.Alerts);
        Assert.Equal((AlertKinds.EgressDns, job.Id), (alert.Kind, alert.Job!.JobId));
        Assert.Equal("/usr/sbin/dockerd", alert.Process!.Exe);
        Assert.Equal([10, 11, 12], Assert.Single(_enforcer.Kills).Members.Select(m => m.Pid).Order());
    }

    [Fact]
    public void A_DNS_query_for_a_name_no_rule_allows_is_a_violation_and_allowed_names_are_not()
    {
        var monitor = Monitor();
        Job();
        var flow = new FlowKey(TransportProtocol.Udp, IPAddress.Parse("198.18.0.1"), 5353, Resolver, 53);
        _trace.Add(new DnsQueryObserved(_trace.Now, flow, 1, "registry.test", 1, Owner(Key(12))));
        _trace.Add(new DnsQueryObserved(_trace.Now, flow, 2, "probe.test", 1, Owner(Key(12))));
        _trace.Add(new DnsQueryObserved(_trace.Now, flow, 3, "mzxw6ytboi.exfil.test", 1, Owner(Key(12))));
        _trace.Add(new UdpFlowStarted(_trace.Now, flow, Owner(Key(12))));
        Run(monitor);

        var alert = Assert.Single(_alerts.Alerts);
        Assert.Equal(AlertKinds.EgressDns, alert.Kind);
        Assert.Equal(["mzxw6ytboi.exfil.test"], alert.Destination!.Names);
        var state = Assert.Single(monitor.ActiveJobs);
        Assert.Equal(3, state.DnsNames.Count);
        Assert.False(state.DnsNames["mzxw6ytboi.exfil.test"].Allowed);
    }

    [Fact]
    public void A_TLS_server_name_outside_the_profile_is_a_violation_even_on_an_allowed_address()
    {
        var monitor = Monitor();
        Job();
        Answer("registry.test", Registry);
        _trace.Add(new ConnectionAttempted(_trace.Now, Tcp(Registry, 443), Owner(Key(12))));
        _trace.Add(new TlsServerNameObserved(_trace.Now, Tcp(Registry, 443), "evil.test", Owner(Key(12))));
        Run(monitor);

        var alert = Assert.Single(_alerts.Alerts);
        Assert.Equal(AlertKinds.EgressTlsServerName, alert.Kind);
        Assert.Equal("evil.test", alert.Destination!.ServerName);
    }

    [Fact]
    public void An_HTTP_Host_that_is_an_address_is_judged_by_the_address()
    {
        var monitor = Monitor();
        Job();
        var allowed = IPAddress.Parse("203.0.113.7");
        _trace.Add(new ConnectionAttempted(_trace.Now, Tcp(allowed, 80), Owner(Key(12))));
        _trace.Add(new HttpHostObserved(_trace.Now, Tcp(allowed, 80), "203.0.113.7", Owner(Key(12))));
        _trace.Add(new ConnectionAttempted(_trace.Now, Tcp(Evil, 80), Owner(Key(12))));
        Run(monitor);

        var alert = Assert.Single(_alerts.Alerts);
        Assert.Equal(AlertKinds.EgressConnection, alert.Kind);
        Assert.Empty(alert.Destination!.Names);
    }

    [Fact]
    public void An_address_reached_through_a_CNAME_chain_is_known_by_the_name_the_job_asked_for()
    {
        var monitor = Monitor();
        Job();
        Answer("registry.test", Registry,
            new DnsRecord("registry.test", DnsRecordType.Cname, 60, null, "edge.cdn.test"),
            new DnsRecord("edge.cdn.test", DnsRecordType.Cname, 60, null, "node7.cdn.test"));
        _trace.Add(new ConnectionAttempted(_trace.Now, Tcp(Registry, 443), Owner(Key(12))));
        Run(monitor);

        Assert.Empty(_alerts.Alerts);
        Assert.Equal(["node7.cdn.test", "edge.cdn.test", "registry.test"], monitor.Names.NamesFor(1, Registry, _trace.Now));
    }

    [Fact]
    public void Launching_a_denied_process_is_a_violation()
    {
        var monitor = Monitor();
        Job().Spawn(Key(11), Key(13), "/usr/bin/nc");
        Run(monitor);

        var alert = Assert.Single(_alerts.Alerts);
        Assert.Equal(AlertKinds.ProcessDenied, alert.Kind);
        Assert.Equal("/usr/bin/nc", alert.Process!.Exe);
        Assert.Contains("build.yaml", alert.Rule);
    }

    [Fact]
    public void Traffic_outside_any_job_is_alerted_as_unattributed_egress_naming_the_process_or_why_it_cannot()
    {
        var monitor = Monitor();
        _trace.Spawn(Key(1), Key(99), "/usr/sbin/sshd");
        _trace.Add(new ConnectionAttempted(_trace.Now, Tcp(Evil, 22), Owner(Key(99))));
        _trace.Add(new ConnectionAttempted(_trace.Now, Tcp(Evil, 80), FlowAttribution.Unattributed(1, "no socket")));
        Run(monitor);

        Assert.Equal(2, _alerts.Alerts.Count);
        Assert.All(_alerts.Alerts, a => Assert.Equal((AlertKinds.EgressUnattributed, (AlertJob?)null), (a.Kind, a.Job)));
        Assert.Equal((99, "/usr/sbin/sshd"), (_alerts.Alerts[0].Process!.Pid, _alerts.Alerts[0].Process!.Exe));
        Assert.Contains("pid 99 is in no job", _alerts.Alerts[0].Reason);
        Assert.Null(_alerts.Alerts[1].Process);
        Assert.Contains("its process is not named: no socket", _alerts.Alerts[1].Reason);
        Assert.Equal(1, monitor.Counters.UnattributedFlows);
        Assert.Equal(2, monitor.Counters.UnattributedEgressAlerted);
    }

    [Fact]
    public void An_exec_read_after_its_process_exited_is_counted_in_the_reports_health_and_said_in_its_text()
    {
        var monitor = Monitor();
        Job();
        // Two execs whose /proc entry was gone when the sensor read it (ProcessDetails.Unknown): a denied `nc`
        // among them cannot be recognised, which is why the report must say how many there were.
        _trace.Fork(Key(11), Key(20)).Exec(Key(20), ProcessDetails.Unknown).Exit(Key(20));
        _trace.Fork(Key(11), Key(21)).Exec(Key(21), ProcessDetails.Unknown).Exit(Key(21));
        _trace.Spawn(Key(11), Key(22), "/usr/bin/true").Exit(Key(22));
        _trace.Exit(Key(12)).Exit(Key(11)).Exit(Key(10));
        Run(monitor);

        Assert.Empty(_alerts.Alerts);
        var state = Assert.Single(_reports.Ended);
        Assert.Equal(2, state.ExecsUnread);
        var report = Core.Reports.JobReportBuilder.From(state);
        Assert.Equal(2, report.Health.ExecsUnread);
        Assert.Contains("- 2 exec(s) exited before their program could be read", Core.Reports.JobReportText.Render(report));
        Assert.Equal(2, Core.Reports.JobReportJson.Deserialize(Core.Reports.JobReportJson.Serialize(report)).Health.ExecsUnread);
    }

    [Fact]
    public void When_the_job_ends_its_report_holds_destinations_names_violations_and_processes()
    {
        var monitor = Monitor();
        Job();
        Answer("evil.test", Evil);
        _trace.Add(new ConnectionAttempted(_trace.Now, Tcp(Evil, 80), Owner(Key(12))));
        _trace.Add(new ConnectionAttempted(_trace.Now, Tcp(Evil, 80, 40002), Owner(Key(12))));
        _trace.Exit(Key(12)).Exit(Key(11)).Exit(Key(10));
        Run(monitor);

        var report = Assert.Single(_reports.Ended);
        Assert.Empty(monitor.ActiveJobs);
        var destination = Assert.Single(report.Destinations.Values);
        Assert.False(destination.Allowed);
        Assert.Equal(2, destination.Attempts);
        Assert.Single(report.Violations);
        Assert.Equal(2, report.ViolationCount);
        Assert.Equal(["/bin/bash", "/bin/sh", "/usr/bin/curl"], report.Processes.Select(p => p.Exe));
        Assert.All(report.Processes, p => Assert.NotNull(p.Exited));
    }

    [Fact]
    public void A_finding_that_arrives_just_after_the_job_ended_is_alerted_and_in_the_report_written_after_the_grace()
    {
        var monitor = Monitor("kill", TimeSpan.FromMilliseconds(500));
        Job();
        _trace.Exit(Key(12)).Exit(Key(11)).Exit(Key(10));
        Run(monitor);
        var ended = _trace.Events[^1].Time;
        Assert.Empty(monitor.ActiveJobs);
        Assert.Empty(_reports.Ended);

        // The capture thread's event for the curl's last query, behind the process sensor's exits.
        var query = new FlowKey(TransportProtocol.Udp, IPAddress.Parse("198.18.0.1"), 5301, Resolver, 53);
        monitor.Apply(new DnsQueryObserved(ended.AddMilliseconds(-1), query, 1, "evil.test", 1, Owner(Key(12))));
        var alert = Assert.Single(_alerts.Alerts);
        Assert.Equal(AlertAction.Alerted, alert.Action); // nothing left to kill
        Assert.Empty(_enforcer.Kills);
        Assert.Empty(_reports.Ended);

        monitor.CompleteEndedJobs(ended.AddMilliseconds(499));
        Assert.Empty(_reports.Ended);
        monitor.CompleteEndedJobs(ended.AddMilliseconds(500));
        var report = Assert.Single(_reports.Ended);
        Assert.Equal(1, report.ViolationCount);
        Assert.Contains("evil.test", report.DnsNames.Keys);
    }

    [Fact]
    public void A_kill_whose_wait_runs_elsewhere_is_completed_in_the_job_record_by_its_kill_completed_event()
    {
        _enforcer = new RecordingEnforcer { WaitsElsewhere = true };
        var monitor = Monitor("kill");
        Job();
        _trace.Add(new ConnectionAttempted(_trace.Now, Tcp(Evil, 80), Owner(Key(12))));
        Run(monitor);
        var job = Assert.Single(monitor.ActiveJobs).Job;
        Assert.True(job.KillExitPending);
        Assert.Equal("test, 3 signalled, waiting for them to exit", job.KillMethod);
        Assert.Null(job.KillCompletedAt);

        var completedAt = job.KilledAt!.Value.AddMilliseconds(1.5);
        monitor.Apply(new JobKillCompleted(completedAt, job.Id, "test", 3, null));

        Assert.False(job.KillExitPending);
        Assert.Equal(completedAt, job.KillCompletedAt);
        Assert.Equal("test, 3 signalled, all gone 1.5 ms after the signal", job.KillMethod);
        Assert.Equal(0, monitor.Counters.KillsIncomplete);
        // A second completion for the same job (a trace replayed) changes nothing.
        monitor.Apply(new JobKillCompleted(completedAt.AddSeconds(1), job.Id, "test", 3, "late"));
        Assert.Equal(completedAt, job.KillCompletedAt);
    }

    [Fact]
    public void A_kill_whose_processes_outlive_the_wait_is_reported_incomplete_and_the_report_waits_for_that_outcome()
    {
        var (monitor, ended) = KilledJobThatEnded();

        // The grace is over, but the kill has not reported back: the report waits for it.
        monitor.CompleteEndedJobs(ended.AddMilliseconds(600));
        Assert.Empty(_reports.Ended);
        monitor.Apply(new JobKillCompleted(ended.AddMilliseconds(700), _enforcer.Kills[0].JobId, "test", 3, "1 of 3 processes still alive after 500 ms"));
        monitor.CompleteEndedJobs(ended.AddMilliseconds(701));

        var report = Assert.Single(_reports.Ended);
        Assert.Equal("test failed: 1 of 3 processes still alive after 500 ms", report.Job.KillMethod);
        Assert.Equal(1, monitor.Counters.KillsIncomplete);
    }

    [Fact]
    public void An_ended_jobs_report_is_written_without_its_kills_outcome_when_that_never_comes()
    {
        var (monitor, ended) = KilledJobThatEnded();

        monitor.CompleteEndedJobs(ended.AddMilliseconds(2_499));
        Assert.Empty(_reports.Ended);
        monitor.CompleteEndedJobs(ended.AddMilliseconds(2_500));
        Assert.Contains("waiting for them to exit", Assert.Single(_reports.Ended).Job.KillMethod, StringComparison.Ordinal);
    }

    [Fact]
    public void A_connection_the_kernel_reports_at_the_connect_and_the_capture_reports_again_is_one_attempt_and_one_alert()
    {
        var monitor = Monitor();
        Job();
        var atConnect = new FlowKey(TransportProtocol.Tcp, IPAddress.Any, 0, Evil, 80);
        _trace.Add(new ConnectionAttempted(_trace.Now, atConnect, Owner(Key(12)) with { AtSyscall = true }));
        _trace.Add(new ConnectionAttempted(_trace.Now.AddMilliseconds(1), Tcp(Evil, 80), Owner(Key(12))));
        // A second connect, seen only by the capture (a drop on the other side would look the same).
        _trace.Add(new ConnectionAttempted(_trace.Now.AddMilliseconds(2), Tcp(Evil, 80, 40001), Owner(Key(12))));
        Run(monitor);

        var destination = Assert.Single(Assert.Single(monitor.ActiveJobs).Destinations.Values);
        Assert.Equal(2, destination.Attempts);
        Assert.Single(_alerts.Alerts);
    }

    [Fact]
    public void In_audit_mode_a_connect_the_kernel_reports_before_the_answer_that_names_it_is_alerted_with_that_name()
    {
        var monitor = Monitor();
        Job();
        var atConnect = new FlowKey(TransportProtocol.Tcp, IPAddress.Any, 0, Evil, 80);
        _trace.Add(new ConnectionAttempted(_trace.Now, atConnect, Owner(Key(12)) with { AtSyscall = true }));
        // The capture thread records the answer only now, then sees the connection's first packet.
        Answer("evil.test", Evil);
        _trace.Add(new ConnectionAttempted(_trace.Now.AddMilliseconds(1), Tcp(Evil, 80), Owner(Key(12))));
        Run(monitor);

        var alert = Assert.Single(_alerts.Alerts, a => a.Kind == AlertKinds.EgressConnection);
        Assert.Contains("evil.test", alert.Destination!.Names);
        Assert.Equal("/usr/bin/curl", alert.Process!.Exe);
        Assert.Equal(1, Assert.Single(Assert.Single(monitor.ActiveJobs).Destinations.Values).Attempts);
    }

    [Fact]
    public void In_audit_mode_an_unnamed_connect_the_capture_never_sees_is_alerted_after_its_wait_or_when_the_job_ends()
    {
        var monitor = Monitor();
        Job();
        var atConnect = new FlowKey(TransportProtocol.Tcp, IPAddress.Any, 0, Evil, 80);
        var connected = _trace.Now;
        _trace.Add(new ConnectionAttempted(connected, atConnect, Owner(Key(12)) with { AtSyscall = true }));
        _trace.Add(new ConnectionAttempted(connected, new FlowKey(TransportProtocol.Tcp, IPAddress.Any, 0, Evil, 81),
            Owner(Key(12)) with { AtSyscall = true }));
        Run(monitor);

        Assert.DoesNotContain(_alerts.Alerts, a => a.Kind == AlertKinds.EgressConnection);
        monitor.JudgeOverdueSightings(connected + TimeSpan.FromMilliseconds(999));
        Assert.DoesNotContain(_alerts.Alerts, a => a.Kind == AlertKinds.EgressConnection);
        monitor.JudgeOverdueSightings(connected + TimeSpan.FromSeconds(1));
        Assert.Equal(2, _alerts.Alerts.Count(a => a.Kind == AlertKinds.EgressConnection));
    }

    [Fact]
    public void In_kill_mode_an_unnamed_connect_the_kernel_reports_kills_at_once()
    {
        var monitor = Monitor("kill");
        Job();
        _trace.Add(new ConnectionAttempted(_trace.Now, new FlowKey(TransportProtocol.Tcp, IPAddress.Any, 0, Evil, 80),
            Owner(Key(12)) with { AtSyscall = true }));
        Run(monitor);

        Assert.Single(_enforcer.Kills);
    }

    /// <summary>A job killed in kill mode by an enforcer whose wait for exit reports back later, then ended; when it ended.</summary>
    private (JobMonitor Monitor, DateTimeOffset Ended) KilledJobThatEnded()
    {
        _enforcer = new RecordingEnforcer { WaitsElsewhere = true };
        var monitor = Monitor("kill", TimeSpan.FromMilliseconds(500));
        Job();
        _trace.Add(new ConnectionAttempted(_trace.Now, Tcp(Evil, 80), Owner(Key(12))));
        _trace.Exit(Key(12)).Exit(Key(11)).Exit(Key(10));
        Run(monitor);
        return (monitor, _trace.Events[^1].Time);
    }
}
