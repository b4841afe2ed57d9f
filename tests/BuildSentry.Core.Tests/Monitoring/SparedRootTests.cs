using System.Net;
using BuildSentry.Core.Alerts;
using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;
using BuildSentry.Core.Monitoring;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using BuildSentry.Core.Reports;
using BuildSentry.Core.Tests.Jobs;
using static BuildSentry.Core.Tests.Jobs.TraceBuilder;

namespace BuildSentry.Core.Tests.Monitoring;

/// <summary>A job whose root is the runner's own process (registered with --spare-root): killed, it goes on.</summary>
public sealed class SparedRootTests
{
    private static readonly IPAddress Evil = IPAddress.Parse("198.18.0.66");

    private readonly RecordingAlerts _alerts = new();
    private readonly RecordingEnforcer _enforcer = new() { WaitsElsewhere = true };
    private readonly TraceBuilder _trace = new();

    private JobMonitor Monitor()
    {
        var loaded = ProfileLoader.Load("build.yaml", """
            name: build
            mode: kill
            match: { ci: github }
            egress:
              - { host: registry.test, ports: [443] }
            """);
        Assert.Empty(loaded.Diagnostics);
        return new JobMonitor(loaded.Profiles, new MonitorOptions { HostName = "agent-1" }, _enforcer, _alerts, new NoPlacement(), new RecordingReports());
    }

    private void Run(JobMonitor monitor)
    {
        foreach (var e in _trace.Events)
        {
            monitor.Apply(e);
        }

        _trace.Events.Clear();
    }

    private void Connect(ProcessKey process, int port) => _trace.Add(new ConnectionAttempted(_trace.Now,
        new FlowKey(TransportProtocol.Tcp, IPAddress.Parse("198.18.0.1"), 40000 + port, Evil, port), new FlowAttribution(process, 1, null)));

    [Fact]
    public void A_job_whose_root_is_spared_stays_active_after_its_kill_and_a_later_step_that_violates_is_killed_again()
    {
        var monitor = Monitor();
        _trace.Spawn(Key(1), Key(10), "/opt/runner/bin/Runner.Worker");
        _trace.Add(new JobRegistrationRequested(_trace.Now, Key(10), JobMarkers.Detect(GitHub())!, SpareRoot: true));
        _trace.Spawn(Key(10), Key(11), "/bin/bash", GitHub()).Spawn(Key(11), Key(12), "/usr/bin/curl");
        Connect(Key(12), 80);
        // The killed curl's next finding, while the kill's wait is under way: alerted; nothing new of the job can run yet.
        Connect(Key(12), 443);
        Run(monitor);

        var state = Assert.Single(monitor.ActiveJobs);
        var job = state.Job;
        Assert.Equal(Key(10), job.Spared);
        Assert.Single(_enforcer.Kills);
        Assert.Equal([AlertAction.Killed, AlertAction.Alerted], _alerts.Alerts.Select(a => a.Action));

        monitor.Apply(new JobKillCompleted(_trace.Tick().Now, job.Id, "test", 2, null));
        _trace.Exit(Key(12), 137).Exit(Key(11), 137);
        // The runner's next step (`if: always()`): a member, judged, and killed again at its own violation.
        _trace.Spawn(Key(10), Key(13), "/bin/bash", GitHub()).Spawn(Key(13), Key(14), "/usr/bin/wget");
        Connect(Key(14), 8080);
        Run(monitor);

        Assert.True(job.IsActive);
        Assert.Equal(2, _enforcer.Kills.Count);
        Assert.Contains(Key(14), _enforcer.Kills[1].Members);
        Assert.Equal(AlertAction.Killed, _alerts.Alerts[^1].Action);
        Assert.Equal(14, _alerts.Alerts[^1].Process!.Pid);
        var report = JobReportBuilder.From(state);
        Assert.Equal(JobVerdict.Killed, JobVerdict.Of(report));
        Assert.Equal((true, 2), (report.Kill!.RootSpared, report.Kill.Count));
        Assert.StartsWith(_alerts.Alerts[^1].Id, report.Kill.By);
        Assert.Contains("killed (2 times; the last)", JobReportText.Render(report));
    }

    [Fact]
    public void A_job_registered_without_sparing_a_process_cannot_be_made_to_spare_one_by_a_later_registration()
    {
        var metadata = JobMarkers.Detect(GitHub())!;
        var trace = new TraceBuilder().Spawn(Key(1), Key(10), "/bin/sh");
        trace.Add(new JobRegistrationRequested(trace.Now, Key(10), metadata));
        // A step of the job registers it again, naming its shell and asking for it to be spared.
        trace.Spawn(Key(10), Key(11), "/bin/sh");
        trace.Add(new JobRegistrationRequested(trace.Now, Key(10), metadata, SpareRoot: true));

        Assert.Null(Track(trace).Spared);
    }

    [Fact]
    public void A_job_found_from_its_runner_worker_spares_the_worker_its_started_hook_names_and_no_step_changes_it()
    {
        var worker = new JobMetadata(CiSystems.GitHub, JobIds.Create(CiSystems.GitHub, "github_4711")) { TrackingId = "github_4711" };
        var trace = new TraceBuilder().Spawn(Key(1), Key(10), "/opt/runner/bin/Runner.Worker");
        trace.Add(new RunnerWorkerDiscovered(trace.Now, Key(10), worker));
        trace.Spawn(Key(10), Key(11), "/bin/bash", GitHub());
        trace.Add(new JobRegistrationRequested(trace.Now, Key(10), worker, SpareRoot: true));
        trace.Spawn(Key(10), Key(12), "/bin/bash", GitHub());
        trace.Add(new JobRegistrationRequested(trace.Now, Key(12), worker, SpareRoot: true));

        var job = Track(trace);
        Assert.Equal(JobDetection.RunnerWorker, job.Detection);
        Assert.Equal(Key(10), job.Spared);
    }

    [Fact]
    public void Each_exec_wrapper_of_a_build_found_by_its_markers_is_spared_in_turn()
    {
        var jenkins = new Dictionary<string, string> { ["BUILD_TAG"] = "jenkins-app-9", ["JENKINS_URL"] = "http://jenkins.test/" };
        var trace = new TraceBuilder().Spawn(Key(1), Key(10), "/bin/sh", jenkins).Spawn(Key(10), Key(11), "/usr/bin/buildsentry", jenkins);
        var metadata = JobMarkers.Detect(jenkins)!;
        trace.Add(new JobRegistrationRequested(trace.Now, Key(11), metadata, SpareRoot: true));
        trace.Exit(Key(11)).Spawn(Key(10), Key(12), "/usr/bin/buildsentry", jenkins);
        trace.Add(new JobRegistrationRequested(trace.Now, Key(12), metadata, SpareRoot: true));

        var job = Track(trace);
        Assert.Equal(JobDetection.EnvironmentMarkers, job.Detection);
        Assert.Equal(Key(12), job.Spared);
    }

    private static JobRecord Track(TraceBuilder trace)
    {
        var observer = new RecordingObserver();
        var tracker = new JobTracker(observer, observer);
        foreach (var e in trace.Events)
        {
            tracker.Apply(e);
        }

        Assert.Empty(observer.Refusals);
        return Assert.Single(tracker.ActiveJobs);
    }
}
