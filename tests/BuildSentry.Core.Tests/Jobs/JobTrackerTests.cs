using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;
using static BuildSentry.Core.Tests.Jobs.TraceBuilder;

namespace BuildSentry.Core.Tests.Jobs;

public sealed class JobTrackerTests
{
    private readonly RecordingObserver _observer = new();
    private readonly JobTracker _tracker;

    public JobTrackerTests() => _tracker = new JobTracker(_observer, _observer);

    private void Run(TraceBuilder trace)
    {
        foreach (var e in trace.Events)
        {
            _tracker.Apply(e);
        }
    }

    [Fact]
    public void A_process_with_GitHub_markers_roots_a_job_and_every_descendant_belongs_to_it()
    {
        var trace = new TraceBuilder()
            .Spawn(Key(1), Key(10), "/usr/bin/bash", GitHub())
            .Spawn(Key(10), Key(11), "/usr/bin/sh", GitHub())
            .Spawn(Key(11), Key(12), "/usr/bin/curl", GitHub())
            .Spawn(Key(11), Key(13), "/usr/bin/true", GitHub());
        Run(trace);

        var job = Assert.Single(_tracker.ActiveJobs);
        Assert.Equal("github-4711-1-build", job.Id);
        Assert.Equal(JobDetection.EnvironmentMarkers, job.Detection);
        Assert.Equal(Key(10), job.Root);
        Assert.Equal("acme/app", job.Metadata.Repository);
        foreach (var pid in new[] { 10, 11, 12, 13 })
        {
            Assert.True(_tracker.Processes.TryGetLive(pid, out var p));
            Assert.Equal(job.Id, p.JobId);
        }

        Assert.Equal(4, job.LiveProcesses);
        Assert.Contains("/usr/bin/curl", job.Executables.Keys);
        Assert.Single(_observer.Started);
        Assert.Equal([(job.Id, 1)], _observer.Placed);
    }

    [Fact]
    public void Processes_forked_soon_after_the_job_got_its_cgroup_are_adopted_into_it_and_later_ones_are_born_there()
    {
        var trace = new TraceBuilder()
            .Spawn(Key(1), Key(10), "/usr/bin/bash", GitHub())
            .Fork(Key(10), Key(11))
            .Tick(3000)
            .Fork(Key(10), Key(12));
        Run(trace);

        Assert.Equal([("github-4711-1-build", Key(11))], _observer.Adopted);
    }

    [Fact]
    public void A_double_forked_daemon_stays_in_its_job_after_its_parent_exits_and_keeps_the_job_alive()
    {
        var trace = new TraceBuilder()
            .Spawn(Key(1), Key(10), "/usr/bin/bash", GitHub())
            .Fork(Key(10), Key(20))
            .Fork(Key(20), Key(21))
            .Exit(Key(20))
            .Exec(Key(21), Details("/tmp/helper"))
            .Exit(Key(10));
        Run(trace);

        Assert.True(_tracker.Processes.TryGetLive(21, out var daemon));
        var job = Assert.Single(_tracker.ActiveJobs);
        Assert.Equal(job.Id, daemon.JobId);
        Assert.Equal(1, job.LiveProcesses);
        Assert.Empty(_observer.Ended);

        _tracker.Apply(new ProcessExited(trace.Now, Key(21), 0));

        var ended = Assert.Single(_observer.Ended);
        Assert.Equal(job.Id, ended.Id);
        Assert.Equal("every process of the job exited", ended.EndReason);
        Assert.Empty(_tracker.ActiveJobs);
    }

    [Fact]
    public void A_child_that_carries_its_own_jobs_markers_is_not_a_new_root()
    {
        Run(new TraceBuilder()
            .Spawn(Key(1), Key(10), "/bin/bash", GitHub())
            .Spawn(Key(10), Key(11), "/bin/bash", GitHub()));

        var job = Assert.Single(_tracker.ActiveJobs);
        Assert.Equal(Key(10), job.Root);
        Assert.Single(_observer.Started);
    }

    [Fact]
    public void A_job_process_cannot_escape_its_job_by_setting_markers_of_another_job()
    {
        Run(new TraceBuilder()
            .Spawn(Key(1), Key(10), "/bin/bash", GitHub(runId: "1"))
            .Spawn(Key(10), Key(11), "/bin/bash", GitHub(runId: "2")));

        var job = Assert.Single(_tracker.ActiveJobs);
        Assert.True(_tracker.Processes.TryGetLive(11, out var escaper));
        Assert.Equal(job.Id, escaper.JobId);
    }

    [Fact]
    public void GitLab_and_Jenkins_jobs_side_by_side_stay_separate()
    {
        var gitlab = new Dictionary<string, string> { ["GITLAB_CI"] = "true", ["CI_JOB_ID"] = "77", ["CI_PROJECT_PATH"] = "g/p" };
        var jenkins = new Dictionary<string, string> { ["BUILD_TAG"] = "jenkins-app-9", ["JENKINS_URL"] = "http://ci", ["JOB_NAME"] = "app" };
        var trace = new TraceBuilder()
            .Spawn(Key(1), Key(10), "/bin/sh", gitlab)
            .Spawn(Key(1), Key(20), "/bin/sh", jenkins);
        for (var i = 0; i < 5; i++)
        {
            trace.Spawn(Key(10), Key(100 + i), "/usr/bin/make").Spawn(Key(20), Key(200 + i), "/usr/bin/mvn");
        }

        Run(trace);

        Assert.Equal(2, _tracker.ActiveJobs.Count);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(_tracker.Processes.TryGetLive(100 + i, out var a));
            Assert.True(_tracker.Processes.TryGetLive(200 + i, out var b));
            Assert.Equal("gitlab-77", a.JobId);
            Assert.Equal("jenkins-jenkins_app_9", b.JobId);
        }
    }

    [Fact]
    public void A_reused_pid_never_merges_two_identities()
    {
        var trace = new TraceBuilder()
            .Spawn(Key(1), Key(10), "/bin/bash", GitHub())
            .Spawn(Key(10), Key(50, 200), "/usr/bin/curl")
            .Fork(Key(1), Key(50, 300));
        Run(trace);

        Assert.True(_tracker.Processes.TryGet(Key(50, 200), out var first));
        Assert.True(_tracker.Processes.TryGetLive(50, out var second));
        Assert.NotSame(first, second);
        Assert.False(first.IsAlive);
        Assert.Equal(Key(50, 300), second.Key);
        Assert.Null(second.JobId);
        Assert.Equal(1, Assert.Single(_tracker.ActiveJobs).LiveProcesses);
    }

    [Fact]
    public void Explicit_registration_roots_a_job_and_takes_in_the_roots_existing_descendants()
    {
        var trace = new TraceBuilder()
            .Spawn(Key(1), Key(10), "/opt/runner/Runner.Worker")
            .Spawn(Key(10), Key(11), "/bin/bash");
        trace.Add(new JobRegistrationRequested(trace.Now, Key(10), new JobMetadata(CiSystems.Manual, "manual-1")));
        trace.Spawn(Key(11), Key(12), "/usr/bin/curl");
        Run(trace);

        var job = Assert.Single(_tracker.ActiveJobs);
        Assert.Equal(JobDetection.Registered, job.Detection);
        Assert.Equal(3, job.LiveProcesses);
        Assert.Equal([("manual-1", 2)], _observer.Placed);
    }

    [Fact]
    public void Registering_a_process_of_another_job_is_refused()
    {
        var trace = new TraceBuilder().Spawn(Key(1), Key(10), "/bin/bash", GitHub()).Spawn(Key(10), Key(11), "/bin/sh");
        trace.Add(new JobRegistrationRequested(trace.Now, Key(11), new JobMetadata(CiSystems.Manual, "evasion")));
        Run(trace);

        var refusal = Assert.Single(_observer.Refusals);
        Assert.Contains("already belongs to job github-4711-1-build", refusal.Reason);
        Assert.Single(_tracker.ActiveJobs);
    }

    [Fact]
    public void A_runner_worker_and_the_steps_it_starts_are_one_job_from_the_first_moment()
    {
        var worker = new JobMetadata(CiSystems.GitHub, JobIds.Create(CiSystems.GitHub, "github_4711")) { TrackingId = "github_4711" };
        var trace = new TraceBuilder().Spawn(Key(1), Key(10), "/opt/runner/bin/Runner.Worker");
        trace.Add(new RunnerWorkerDiscovered(trace.Now, Key(10), worker));
        trace.Spawn(Key(10), Key(11), "/bin/bash", GitHub());
        Run(trace);

        var job = Assert.Single(_tracker.ActiveJobs);
        Assert.Equal(worker.JobId, job.Id);
        Assert.Equal(JobDetection.RunnerWorker, job.Detection);
        Assert.Equal("acme/app", job.Metadata.Repository);
        Assert.Equal(2, job.LiveProcesses);
    }

    [Fact]
    public void An_explicit_end_ends_the_job_and_keeps_its_record()
    {
        var trace = new TraceBuilder().Spawn(Key(1), Key(10), "/bin/bash", GitHub());
        trace.Add(new JobEndRequested(trace.Now, "github-4711-1-build", "hook"));
        Run(trace);

        Assert.Empty(_tracker.ActiveJobs);
        Assert.True(_tracker.TryGetJob("github-4711-1-build", out var job));
        Assert.Equal("hook", job.EndReason);
        Assert.NotNull(job.EndedAt);
    }
}
