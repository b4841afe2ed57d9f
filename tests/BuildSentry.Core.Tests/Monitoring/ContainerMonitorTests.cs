using BuildSentry.Core.Alerts;
using BuildSentry.Core.Events;
using BuildSentry.Core.Monitoring;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using BuildSentry.Core.Reports;
using BuildSentry.Core.Tests.Jobs;
using static BuildSentry.Core.Tests.Jobs.TraceBuilder;

namespace BuildSentry.Core.Tests.Monitoring;

public sealed class ContainerMonitorTests
{
    private const string Id = "c0ffee0000000000000000000000000000000000000000000000000000000001";
    private const string ProfileYaml = """
        name: build
        mode: MODE
        match: { ci: github }
        egress:
          - { host: registry.test, ports: [80] }
        """;

    private readonly RecordingAlerts _alerts = new();
    private readonly RecordingEnforcer _enforcer = new();
    private readonly RecordingReports _reports = new();
    private readonly TraceBuilder _trace = new();

    private ContainerActivity Activity(ContainerAction action, ProcessKey? process = null, params ProcessKey[] clients) =>
        new(_trace.Now, action, Id, "svc", "busybox:1", clients) { Process = process };

    /// <summary>Job 10 runs docker (11); dockerd's side starts the container's init (21).</summary>
    private JobMonitor Run(string mode, Action<TraceBuilder> steps)
    {
        var loaded = ProfileLoader.Load("build.yaml", ProfileYaml.Replace("MODE", mode));
        Assert.Empty(loaded.Diagnostics);
        var monitor = new JobMonitor(loaded.Profiles, new MonitorOptions(), _enforcer, _alerts, new NoPlacement(), _reports);
        _trace.Spawn(Key(1), Key(10), "/bin/bash", GitHub())
            .Spawn(Key(10), Key(11), "/usr/bin/docker")
            .Add(Activity(ContainerAction.Created, null, Key(11)))
            .Spawn(Key(2), Key(21), "/bin/wget")
            .Add(Activity(ContainerAction.Started, Key(21)));
        steps(_trace);
        foreach (var e in _trace.Events)
        {
            monitor.Apply(e);
        }

        return monitor;
    }

    [Fact]
    public void A_containers_connection_off_the_profile_is_the_jobs_violation_and_kills_the_job_with_the_container()
    {
        var flow = new FlowKey(TransportProtocol.Tcp, System.Net.IPAddress.Any, 0, System.Net.IPAddress.Parse("198.18.0.66"), 80);
        Run("kill", t => t.Add(new ConnectionAttempted(t.Now, flow, new FlowAttribution(Key(21), 4026532000, null))));

        var kill = Assert.Single(_enforcer.Kills);
        Assert.Equal("github-4711-1-build", kill.JobId);
        Assert.Contains(Key(21), kill.Members);
        var alert = Assert.Single(_alerts.Alerts);
        Assert.Equal(AlertKinds.EgressConnection, alert.Kind);
        Assert.Equal(21, alert.Process!.Pid);
    }

    [Fact]
    public void A_container_still_running_when_the_job_ends_is_alerted_once_and_listed_in_the_report()
    {
        Run("kill", t => t.Exit(Key(11)).Exit(Key(10)));

        var alert = Assert.Single(_alerts.Alerts);
        Assert.Equal(AlertKinds.ContainerLeftRunning, alert.Kind);
        Assert.Equal(AlertAction.Alerted, alert.Action);
        Assert.Contains("c0ffee000000 'svc' (image busybox:1)", alert.Reason);
        Assert.Empty(_enforcer.Kills);
        var report = JobReportBuilder.From(Assert.Single(_reports.Ended));
        var container = Assert.Single(report.Containers!);
        Assert.True(container.LeftRunning);
        Assert.Contains("LEFT RUNNING", JobReportText.Render(report));
    }

    [Fact]
    public void A_container_that_exited_before_the_job_ended_raises_nothing()
    {
        Run("audit", t => t.Add(Activity(ContainerAction.Exited)).Exit(Key(11)).Exit(Key(10)));

        Assert.Empty(_alerts.Alerts);
        Assert.False(Assert.Single(JobReportBuilder.From(Assert.Single(_reports.Ended)).Containers!).LeftRunning);
    }

    [Fact]
    public void The_event_survives_a_trace_round_trip()
    {
        SensorEvent e = Activity(ContainerAction.ExecStarted, Key(21), Key(11));
        var json = System.Text.Json.JsonSerializer.Serialize(e);
        Assert.Contains("\"type\":\"container\"", json);
        Assert.Contains("\"ExecStarted\"", json);
        var back = Assert.IsType<ContainerActivity>(System.Text.Json.JsonSerializer.Deserialize<SensorEvent>(json));
        Assert.Equal(Key(21), back.Process);
        Assert.Equal([Key(11)], back.Clients);
    }
}
