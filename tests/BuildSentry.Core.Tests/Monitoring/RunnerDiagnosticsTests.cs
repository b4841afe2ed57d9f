using BuildSentry.Core.Alerts;
using BuildSentry.Core.Events;
using BuildSentry.Core.Monitoring;
using BuildSentry.Core.Profiles;
using BuildSentry.Core.Tests.Jobs;
using static BuildSentry.Core.Tests.Jobs.TraceBuilder;

namespace BuildSentry.Core.Tests.Monitoring;

public sealed class RunnerDiagnosticsTests
{
    private const string ProfileYaml = """
        name: build
        mode: MODE
        match: { ci: github }
        egress:
          - { host: registry.test, ports: [443] }
        """;

    private static readonly ProcessKey Worker = Key(5);
    private static readonly ProcessKey Client = Key(12);

    private readonly RecordingAlerts _alerts = new();
    private readonly RecordingEnforcer _enforcer = new();
    private readonly TraceBuilder _trace = new();

    [Fact]
    public void A_job_process_on_the_workers_diagnostics_port_raises_one_tamper_alert_however_often_it_is_seen()
    {
        var monitor = Run("audit", new RunnerDiagnosticsContacted(_trace.Now, Client, Worker), new RunnerDiagnosticsContacted(_trace.Now, Client, Worker));

        var alert = Assert.Single(_alerts.Alerts);
        Assert.Equal(AlertKinds.RunnerDiagnosticsPort, alert.Kind);
        Assert.Equal(AlertAction.Alerted, alert.Action);
        Assert.Equal(AlertSeverity.High, alert.Severity);
        Assert.Equal(12, alert.Process!.Pid);
        Assert.Equal("/usr/bin/python3", alert.Process.Exe);
        Assert.Contains("/opt/runner/bin/Runner.Worker (pid 5)", alert.Reason);
        Assert.Equal("github-4711-1-build", alert.Job!.JobId);
        Assert.Empty(_enforcer.Kills);
        Assert.Equal(2, Assert.Single(monitor.ActiveJobs).ViolationCount);
    }

    [Fact]
    public void In_kill_mode_the_job_that_touched_the_port_is_killed()
    {
        Run("kill", new RunnerDiagnosticsContacted(_trace.Now, Client, Worker));

        var kill = Assert.Single(_enforcer.Kills);
        Assert.Contains(Client, kill.Members);
        Assert.Equal(AlertAction.Killed, Assert.Single(_alerts.Alerts).Action);
    }

    [Fact]
    public void The_worker_itself_and_processes_outside_any_job_raise_nothing()
    {
        _trace.Spawn(Key(1), Key(77), "/usr/bin/dotnet-dump");
        Run("audit", new RunnerDiagnosticsContacted(_trace.Now, Worker, Worker), new RunnerDiagnosticsContacted(_trace.Now, Key(77), Worker),
            new RunnerDiagnosticsContacted(_trace.Now, Key(4444), Worker));

        Assert.Empty(_alerts.Alerts);
    }

    [Fact]
    public void The_event_survives_a_trace_round_trip()
    {
        SensorEvent e = new RunnerDiagnosticsContacted(_trace.Now, Client, Worker);
        var json = System.Text.Json.JsonSerializer.Serialize(e);
        Assert.Contains("\"type\":\"runner-diagnostics\"", json);
        Assert.Equal(e, System.Text.Json.JsonSerializer.Deserialize<SensorEvent>(json));
    }

    private JobMonitor Run(string mode, params SensorEvent[] events)
    {
        var loaded = ProfileLoader.Load("build.yaml", ProfileYaml.Replace("MODE", mode));
        Assert.Empty(loaded.Diagnostics);
        var monitor = new JobMonitor(loaded.Profiles, new MonitorOptions { HostName = "agent-1" }, _enforcer, _alerts, new NoPlacement(), new RecordingReports());
        _trace.Spawn(Key(1), Worker, "/opt/runner/bin/Runner.Worker")
            .Spawn(Worker, Key(10), "/bin/bash", GitHub())
            .Spawn(Key(10), Client, "/usr/bin/python3");
        foreach (var e in _trace.Events.Concat(events))
        {
            monitor.Apply(e);
        }

        return monitor;
    }
}
