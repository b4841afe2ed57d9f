using System.Net;
using BuildSentry.Core.Alerts;
using BuildSentry.Core.Events;
using BuildSentry.Core.Monitoring;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using BuildSentry.Core.Tests.Jobs;
using static BuildSentry.Core.Tests.Jobs.TraceBuilder;

namespace BuildSentry.Core.Tests.Monitoring;

/// <summary>A monitor and jobs that aim floods of findings at it, applied event by event as the daemon does.</summary>
internal sealed class HostileJob
{
    public const string ProfileYaml = """
        name: build
        mode: MODE
        match: { ci: github }
        egress:
          - { host: registry.test, ports: [443] }
        dns: [registry.test]
        processes:
          deny: [nc, ncat]
        """;

    private static readonly FlowKey DnsFlow = new(TransportProtocol.Udp, IPAddress.Parse("198.18.0.1"), 5353, IPAddress.Parse("198.18.0.2"), 53);

    private readonly TraceBuilder _trace = new();

    public HostileJob(MonitorOptions? options = null, string mode = "audit")
    {
        var loaded = ProfileLoader.Load("build.yaml", ProfileYaml.Replace("MODE", mode));
        Assert.Empty(loaded.Diagnostics);
        Monitor = new JobMonitor(loaded.Profiles, options ?? new MonitorOptions { HostName = "agent-1" }, Enforcer, Alerts, new NoPlacement(), Reports);
        Start(10, "4711");
    }

    public JobMonitor Monitor { get; }

    public RecordingAlerts Alerts { get; } = new();

    public RecordingEnforcer Enforcer { get; } = new();

    public RecordingReports Reports { get; } = new();

    public DateTimeOffset Now => _trace.Now;

    /// <summary>The job of run 4711 (root pid 10, client pid 12), or another one.</summary>
    public JobState State(string runId = "4711") => Monitor.ActiveJobs.Single(s => s.Job.Metadata.RunId == runId);

    public IEnumerable<Alert> Of(string kind) => Alerts.Alerts.Where(a => a.Kind == kind);

    public HostileJob Start(int rootPid, string runId)
    {
        _trace.Spawn(Key(1), Key(rootPid), "/bin/bash", GitHub(runId)).Spawn(Key(rootPid), Key(rootPid + 2), "/usr/bin/curl");
        return Flush();
    }

    public HostileJob Query(string name, int clientPid = 12) =>
        Apply(new DnsQueryObserved(_trace.Now, DnsFlow, 1, name, 1, new FlowAttribution(Key(clientPid), 1, null)));

    public HostileJob Connect(IPAddress destination, int port, int clientPid = 12) => Apply(new ConnectionAttempted(_trace.Now,
        new FlowKey(TransportProtocol.Tcp, IPAddress.Parse("198.18.0.1"), 40000, destination, port), new FlowAttribution(Key(clientPid), 1, null)));

    public HostileJob Answer(string name, IPAddress address) => Apply(new DnsAnswerObserved(_trace.Now, DnsFlow, 1, name,
        [new DnsRecord(name, DnsRecordType.A, 60, address, null)], 1));

    public HostileJob Run(int pid, string exe, int parentPid = 10)
    {
        _trace.Spawn(Key(parentPid), Key(pid), exe);
        return Flush();
    }

    public HostileJob Wait(TimeSpan time)
    {
        _trace.Tick(time.TotalMilliseconds);
        return this;
    }

    /// <summary>Every process of the job of <paramref name="runId"/> exits; returns its state as the report sink got it.</summary>
    public JobState End(string runId = "4711")
    {
        var job = State(runId).Job;
        foreach (var process in Monitor.Tracker.Processes.Live.Where(p => p.JobId == job.Id).OrderByDescending(p => p.Key.Pid).ToList())
        {
            _trace.Exit(process.Key);
        }

        Flush();
        return Reports.Ended[^1];
    }

    private HostileJob Apply(SensorEvent e)
    {
        _trace.Add(e);
        return Flush();
    }

    private HostileJob Flush()
    {
        foreach (var e in _trace.Events)
        {
            Monitor.Apply(e);
        }

        _trace.Events.Clear();
        return this;
    }
}
