using System.Net;
using BuildSentry.Core.Alerts;
using BuildSentry.Core.Events;
using BuildSentry.Core.Monitoring;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using BuildSentry.Core.Tests.Jobs;
using static BuildSentry.Core.Tests.Jobs.TraceBuilder;

namespace BuildSentry.Core.Tests.Monitoring;

/// <summary>
/// The process sensor applies its events on its own thread and can trail the capture thread: a finding
/// whose owner it has not reported yet waits for it, without losing its order or waiting for ever.
/// </summary>
public sealed class OwnerWaitQueueTests
{
    private const string ProfileYaml = """
        name: build
        mode: MODE
        match: { ci: github }
        egress:
          - { host: registry.test, ports: [80] }
        """;

    private static readonly IPAddress Registry = IPAddress.Parse("198.18.0.10");
    private static readonly IPAddress Evil = IPAddress.Parse("198.18.0.66");
    private static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(20);
    private const string JobId = "github-4711-1-build";

    private readonly List<SensorEvent> _handled = [];
    private RecordingAlerts _alerts = null!;
    private RecordingEnforcer _enforcer = null!;
    private TraceBuilder _trace = null!;
    private JobMonitor _monitor = null!;
    private OwnerWaitQueue _queue = null!;

    public OwnerWaitQueueTests() => Build("audit");

    private void Build(string mode)
    {
        var loaded = ProfileLoader.Load("build.yaml", ProfileYaml.Replace("MODE", mode, StringComparison.Ordinal));
        Assert.Empty(loaded.Diagnostics);
        (_alerts, _enforcer, _trace) = (new RecordingAlerts(), new RecordingEnforcer(), new TraceBuilder());
        _handled.Clear();
        _monitor = new JobMonitor(loaded.Profiles, new MonitorOptions { HostName = "agent-1" }, _enforcer, _alerts,
            new NoPlacement(), new RecordingReports());
        _queue = new OwnerWaitQueue(_monitor, e =>
        {
            _handled.Add(e);
            _monitor.Apply(e);
        }, MaxWait);

        // The job's shell is known; the curl it is about to start is not, until ApplySpawnOfCurl.
        _trace.Spawn(Key(1), Key(10), "/bin/bash", GitHub()).Spawn(Key(10), Key(11), "/bin/sh");
        ApplyTrace();
    }

    private static readonly DateTimeOffset Never = DateTimeOffset.MinValue;

    private static FlowKey Tcp(IPAddress destination, int sourcePort = 40000) =>
        new(TransportProtocol.Tcp, IPAddress.Parse("198.18.0.1"), sourcePort, destination, 80);

    private static FlowAttribution Owner(ProcessKey key) => new(key, 1, null);

    private void ApplyTrace()
    {
        foreach (var e in _trace.Events)
        {
            _monitor.Apply(e);
        }

        _trace.Events.Clear();
    }

    private void ApplySpawnOfCurl()
    {
        _trace.Spawn(Key(11), Key(12), "/usr/bin/curl");
        ApplyTrace();
    }

    [Fact]
    public void A_connection_from_a_process_not_reported_yet_waits_and_is_judged_with_that_process_once_it_is()
    {
        var at = _trace.Now;
        var connection = new ConnectionAttempted(at, Tcp(Evil), Owner(Key(12)));
        _queue.Admit(connection, at, caughtUp: () => Never);

        Assert.Equal(1, _queue.Count);
        Assert.Empty(_handled);
        Assert.Empty(_alerts.Alerts);

        ApplySpawnOfCurl();
        _queue.Release(at.AddMilliseconds(1), caughtUp: () => Never);

        Assert.Equal(0, _queue.Count);
        var alert = Assert.Single(_alerts.Alerts);
        Assert.Equal(AlertKinds.EgressConnection, alert.Kind);
        Assert.Equal(12, alert.Process!.Pid);
        Assert.EndsWith("/curl", alert.Process.Exe);
        Assert.Equal("github-4711-1-build", alert.Job!.JobId);
        Assert.Equal(0, _monitor.Counters.UnattributedFlows);
    }

    [Fact]
    public void A_DNS_query_from_a_fork_whose_exec_is_not_reported_yet_waits_for_the_exec_and_names_the_new_program()
    {
        _trace.Fork(Key(11), Key(12));
        ApplyTrace();
        var at = _trace.Now;
        var query = new DnsQueryObserved(at, new FlowKey(TransportProtocol.Udp, IPAddress.Parse("198.18.0.1"), 5353, Registry, 53), 1,
            "exfil.evil.test", 1, Owner(Key(12)) with { OwnerExe = "/usr/bin/dig" });
        _queue.Admit(query, at, () => Never);
        Assert.Equal(1, _queue.Count);

        _trace.Exec(Key(12), Details("/usr/bin/dig"));
        ApplyTrace();
        _queue.Release(at.AddMilliseconds(1), () => Never);

        var alert = Assert.Single(_alerts.Alerts);
        Assert.Equal(AlertKinds.EgressDns, alert.Kind);
        Assert.Equal("/usr/bin/dig", alert.Process!.Exe);
    }

    [Fact]
    public void Findings_after_a_waiting_one_wait_behind_it_and_leave_in_capture_order()
    {
        var at = _trace.Now;
        var first = new ConnectionAttempted(at, Tcp(Evil, 40001), Owner(Key(12)));
        var answer = new DnsAnswerObserved(at.AddMilliseconds(1), new FlowKey(TransportProtocol.Udp, Registry, 53, Registry, 5353), 1,
            "registry.test", [new DnsRecord("registry.test", DnsRecordType.A, 60, Registry, null)], 1);
        var second = new ConnectionAttempted(at.AddMilliseconds(2), Tcp(Registry, 40002), Owner(Key(11)));
        _queue.Admit(first, at, () => Never);
        _queue.Admit(answer, at.AddMilliseconds(1), () => Never);
        _queue.Admit(second, at.AddMilliseconds(2), () => Never);

        // The shell (pid 11) is known, but its connection does not overtake the one still waiting.
        Assert.Equal(3, _queue.Count);
        Assert.Empty(_handled);

        ApplySpawnOfCurl();
        _queue.Release(at.AddMilliseconds(3), () => Never);

        Assert.Equal([first, answer, second], _handled);
        // The answer was applied before the second connection: its address is known by name and allowed.
        var state = Assert.Single(_monitor.ActiveJobs);
        Assert.True(state.Destinations.Values.Single(d => d.Address == Registry.ToString()).Allowed);
        Assert.Single(_alerts.Alerts);
    }

    [Fact]
    public void A_finding_whose_owner_the_sensor_never_reports_leaves_once_the_sensor_caught_up_past_it()
    {
        var at = _trace.Now;
        var connection = new ConnectionAttempted(at, Tcp(Evil), Owner(Key(99)) with { KernelJob = "github-4711-1-build" });
        _queue.Admit(connection, at, caughtUp: () => Never);
        _queue.Release(at.AddMilliseconds(1), caughtUp: () => at.AddTicks(-1));
        Assert.Equal(1, _queue.Count);

        _queue.Release(at.AddMilliseconds(1), caughtUp: () => at.AddTicks(1));

        Assert.Equal(0, _queue.Count);
        var alert = Assert.Single(_alerts.Alerts);
        Assert.Null(alert.Process);
        Assert.Equal("github-4711-1-build", alert.Job!.JobId);
        Assert.Equal(1, _monitor.Counters.KernelAttributedFlows);
    }

    [Fact]
    public void A_finding_leaves_after_the_longest_wait_even_when_the_sensor_never_catches_up()
    {
        var at = _trace.Now;
        _queue.Admit(new ConnectionAttempted(at, Tcp(Evil), Owner(Key(99))), at, () => Never);
        _queue.Release(at + MaxWait - TimeSpan.FromTicks(1), () => Never);
        Assert.Equal(1, _queue.Count);

        _queue.Release(at + MaxWait, () => Never);

        Assert.Equal(0, _queue.Count);
        Assert.Single(_handled);
        Assert.Equal(1, _monitor.Counters.UnattributedFlows);
    }

    [Fact]
    public void A_finding_already_past_the_sensor_is_judged_at_once_and_other_events_never_wait()
    {
        var at = _trace.Now;
        _queue.Admit(new ConnectionAttempted(at, Tcp(Evil), Owner(Key(99))), at.AddMilliseconds(1), caughtUp: () => at.AddMilliseconds(1));
        Assert.Equal(0, _queue.Count);

        _queue.Admit(new ConnectionAttempted(at, Tcp(Evil, 40009), Owner(Key(98))), at, () => Never);
        var exit = new ProcessExited(at, Key(11), 0);
        _queue.Admit(exit, at, () => Never);

        Assert.Equal(1, _queue.Count);
        Assert.Equal(2, _handled.Count);
        Assert.Same(exit, _handled[^1]);
    }

    [Fact]
    public void Everything_leaves_when_asked_for_all()
    {
        var at = _trace.Now;
        _queue.Admit(new ConnectionAttempted(at, Tcp(Evil), Owner(Key(99))), at, () => Never);
        _queue.Admit(new HttpHostObserved(at, Tcp(Evil), "evil.test", Owner(Key(99))), at, () => Never);

        _queue.Release(at, () => Never, all: true);

        Assert.Equal(0, _queue.Count);
        Assert.Equal(2, _handled.Count);
    }

    [Fact]
    public void In_kill_mode_a_denied_finding_the_kernel_named_the_job_of_kills_it_at_once_and_its_alert_later_names_the_process()
    {
        Build("kill");
        var at = _trace.Now;
        var query = new DnsQueryObserved(at, new FlowKey(TransportProtocol.Udp, IPAddress.Parse("198.18.0.1"), 5353, Registry, 53), 1,
            "evil.test", 1, Owner(Key(12)) with { KernelJob = JobId });

        _queue.Admit(query, at, () => Never);

        // Killed while the finding still waits for its owner; nothing is alerted yet.
        Assert.Equal(1, _queue.Count);
        Assert.Equal(JobId, Assert.Single(_enforcer.Kills).JobId);
        Assert.Empty(_alerts.Alerts);
        Assert.Equal(1, _monitor.Counters.KillsAheadOfOwner);
        var job = Assert.Single(_monitor.ActiveJobs).Job;
        Assert.NotNull(job.KilledAt);
        Assert.Contains("before its alert", job.KilledBy, StringComparison.Ordinal);

        ApplySpawnOfCurl();
        _queue.Release(at.AddMilliseconds(1), () => Never);

        // The finding's own alert is the kill's: it names the curl, says Killed, and the job is not killed twice.
        var alert = Assert.Single(_alerts.Alerts);
        Assert.Equal(AlertAction.Killed, alert.Action);
        Assert.Equal(AlertKinds.EgressDns, alert.Kind);
        Assert.EndsWith("/curl", alert.Process!.Exe);
        Assert.Single(_enforcer.Kills);
        Assert.Equal(1, _monitor.Counters.Kills);
        Assert.StartsWith($"{alert.Id}: ", job.KilledBy, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_is_killed_ahead_for_an_allowed_finding_an_unnamed_job_audit_mode_or_a_finding_behind_another()
    {
        Build("kill");
        var at = _trace.Now;
        // A query for a name the profile allows (a connection to the registry's bare address would be a denial: no
        // answer has named it yet).
        _queue.Admit(new DnsQueryObserved(at, new FlowKey(TransportProtocol.Udp, IPAddress.Parse("198.18.0.1"), 5353, Registry, 53), 1,
            "registry.test", 1, Owner(Key(12)) with { KernelJob = JobId }), at, () => Never);
        _queue.Admit(new ConnectionAttempted(at, Tcp(Evil, 40002), Owner(Key(13)) with { KernelJob = JobId }), at, () => Never);
        Assert.Equal(2, _queue.Count);
        Assert.Empty(_enforcer.Kills); // allowed at the head; the denied one waits behind it

        // Both leave on the longest wait, in order: the denied one is judged then, and kills the ordinary way.
        _queue.Release(at + MaxWait, () => Never);
        Assert.Equal(0, _queue.Count);
        Assert.Single(_enforcer.Kills);
        Assert.Equal(0, _monitor.Counters.KillsAheadOfOwner);
        Assert.Equal(AlertAction.Killed, Assert.Single(_alerts.Alerts).Action);

        Build("kill");
        _queue.Admit(new ConnectionAttempted(at, Tcp(Evil, 40003), Owner(Key(12))), at, () => Never);
        Assert.Empty(_enforcer.Kills); // no kernel tag: the job is known only through the owner

        Build("audit");
        _queue.Admit(new ConnectionAttempted(at, Tcp(Evil, 40004), Owner(Key(12)) with { KernelJob = JobId }), at, () => Never);
        Assert.Empty(_enforcer.Kills);
        Assert.Equal(0, _monitor.Counters.KillsAheadOfOwner);
    }

    [Fact]
    public void A_denied_finding_that_reaches_the_head_of_the_queue_still_waiting_kills_ahead_there()
    {
        Build("kill");
        var at = _trace.Now;
        _queue.Admit(new ConnectionAttempted(at, Tcp(Registry, 40001), Owner(Key(20))), at, () => Never);
        var denied = new ConnectionAttempted(at.AddMilliseconds(1), Tcp(Evil, 40002), Owner(Key(12)) with { KernelJob = JobId });
        _queue.Admit(denied, at.AddMilliseconds(1), () => Never);
        Assert.Empty(_enforcer.Kills);

        // The first leaves (the sensor caught up past it, its owner never reported); the denied one is now the head.
        _queue.Release(at.AddMilliseconds(2), () => at.AddTicks(1));

        Assert.Equal(1, _queue.Count);
        Assert.Equal(JobId, Assert.Single(_enforcer.Kills).JobId);
    }

    [Fact]
    public void A_process_killed_ahead_before_its_exec_could_be_read_is_named_by_the_program_the_capture_thread_saw()
    {
        Build("kill");
        var at = _trace.Now;
        var connection = new ConnectionAttempted(at, Tcp(Evil), Owner(Key(12)) with { KernelJob = JobId, OwnerExe = "/usr/bin/curl" });
        _queue.Admit(connection, at, () => Never);
        Assert.Single(_enforcer.Kills);

        // The sensor reads the exec after the kill: /proc of the dead process yields nothing.
        _trace.Fork(Key(11), Key(12)).Exec(Key(12), ProcessDetails.Unknown);
        ApplyTrace();
        _queue.Release(at.AddMilliseconds(1), () => at.AddMilliseconds(1));

        var alert = Assert.Single(_alerts.Alerts);
        Assert.Equal(12, alert.Process!.Pid);
        Assert.Equal("/usr/bin/curl", alert.Process.Exe);
        Assert.Equal(AlertAction.Killed, alert.Action);
    }

    [Fact]
    public void With_the_kernels_sightings_a_udp_datagram_captured_without_its_owner_waits_and_the_kernels_sighting_naming_the_sender_is_judged()
    {
        _queue.SyscallSightings = true;
        ApplySpawnOfCurl();
        var at = _trace.Now;
        var flow = new FlowKey(TransportProtocol.Udp, IPAddress.Parse("198.18.0.1"), 40000, Evil, 31000);
        var captured = new UdpFlowStarted(at.AddTicks(1), flow, new FlowAttribution(null, 1, "no socket", JobId));
        _queue.Admit(captured, at.AddTicks(1), () => at);
        Assert.Equal(1, _queue.Count);

        var sighting = new UdpFlowStarted(at, flow with { Source = IPAddress.Any, SourcePort = 0 }, Owner(Key(12)) with { KernelJob = JobId, AtSyscall = true });
        _queue.Admit(sighting, at.AddMilliseconds(1), () => at.AddTicks(2));

        Assert.Equal(0, _queue.Count);
        Assert.Equal([sighting, captured], _handled);
        var alert = Assert.Single(_alerts.Alerts);
        Assert.Equal(12, alert.Process!.Pid);
        Assert.Equal(JobId, alert.Job!.JobId);
    }

    [Fact]
    public void Without_the_kernels_sightings_or_with_none_coming_a_connection_captured_without_its_owner_is_judged_for_its_job_unnamed()
    {
        var at = _trace.Now;
        var flow = new FlowKey(TransportProtocol.Udp, IPAddress.Parse("198.18.0.1"), 40000, Evil, 31000);
        _queue.Admit(new UdpFlowStarted(at, flow, new FlowAttribution(null, 1, "no socket", JobId)), at, () => Never);
        Assert.Equal(0, _queue.Count);

        _queue.SyscallSightings = true;
        _queue.Admit(new UdpFlowStarted(at, flow with { DestinationPort = 31001 }, new FlowAttribution(null, 1, "no socket", JobId)), at, () => Never);
        Assert.Equal(1, _queue.Count);
        _queue.Release(at.AddMilliseconds(1), () => at.AddTicks(1));

        Assert.Equal(0, _queue.Count);
        Assert.Equal(2, _alerts.Alerts.Count);
        Assert.All(_alerts.Alerts, a => Assert.Null(a.Process));
        Assert.All(_alerts.Alerts, a => Assert.Equal(JobId, a.Job!.JobId));
    }
}
