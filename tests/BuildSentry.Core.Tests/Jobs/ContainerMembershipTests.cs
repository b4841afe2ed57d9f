using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;
using static BuildSentry.Core.Tests.Jobs.TraceBuilder;

namespace BuildSentry.Core.Tests.Jobs;

/// <summary>Containers a job asks dockerd for: the runtime's events name the job through the API client.</summary>
public sealed class ContainerMembershipTests
{
    private const string Id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string Shim = "/usr/bin/containerd-shim-runc-v2";

    private readonly RecordingObserver _observer = new();
    private readonly JobTracker _tracker;
    private readonly TraceBuilder _trace = new();

    public ContainerMembershipTests() => _tracker = new JobTracker(_observer, _observer);

    private void Run()
    {
        foreach (var e in _trace.Events)
        {
            _tracker.Apply(e);
        }

        _trace.Events.Clear();
    }

    private ContainerActivity Activity(ContainerAction action, ProcessKey? process, params ProcessKey[] clients) =>
        new(_trace.Now, action, Id, "svc", "busybox:1", clients) { Process = process };

    /// <summary>A GitHub job (10) whose step runs the docker CLI (11); dockerd (2) runs the container's shim (20).</summary>
    private void JobWithDockerClient() => _trace
        .Spawn(Key(1), Key(10), "/usr/bin/bash", GitHub())
        .Spawn(Key(10), Key(11), "/usr/bin/docker", GitHub())
        .Spawn(Key(1), Key(2), "/usr/sbin/dockerd");

    private string? JobOf(int pid) => _tracker.Processes.TryGetLive(pid, out var p) ? p.JobId : null;

    [Fact]
    public void The_shim_of_a_container_the_job_created_joins_the_job_and_everything_it_runs_is_born_in_it()
    {
        JobWithDockerClient();
        _trace.Add(Activity(ContainerAction.Created, null, Key(11)))
            .Fork(Key(2), Key(20)).Exec(Key(20), Details(Shim, null, Shim, "-namespace", "moby", "-id", Id, "-address", "/run/c.sock"))
            .Add(new ProcessForked(_trace.Now, Key(21), Key(20)) { KernelJobSlot = 1 })
            .Exec(Key(21), Details("/bin/wget"))
            .Fork(Key(20), Key(22))
            .Add(Activity(ContainerAction.Started, Key(21), Key(11)));
        Run();

        var job = Assert.Single(_tracker.ActiveJobs);
        Assert.Equal(job.Id, JobOf(20));
        Assert.Equal(job.Id, JobOf(21));
        Assert.True(_tracker.Processes.TryGetLive(21, out var wget) && wget.ViaContainer);
        // 21 was born in the job in the kernel (its fork carries the slot); 22's fork came before the shim's seed.
        Assert.Equal([(job.Id, Key(20)), (job.Id, Key(22))], _observer.Enlisted);
        var container = Assert.Single(job.Containers);
        Assert.True(container.Running);
        Assert.Equal(1, container.ProcessesJoined);
        Assert.Equal(2, job.LiveProcesses);
        Assert.Equal(3, job.LiveContainerProcesses);
    }

    [Fact]
    public void Without_the_shim_the_started_init_and_its_children_join_and_are_seeded()
    {
        JobWithDockerClient();
        _trace.Add(Activity(ContainerAction.Created, null, Key(11)))
            .Spawn(Key(2), Key(21), "/bin/sh")
            .Spawn(Key(21), Key(22), "/bin/wget")
            .Add(Activity(ContainerAction.Started, Key(21)));
        Run();

        var job = Assert.Single(_tracker.ActiveJobs);
        Assert.Equal(job.Id, JobOf(21));
        Assert.Equal(job.Id, JobOf(22));
        Assert.Equal([(job.Id, Key(21)), (job.Id, Key(22))], _observer.Enlisted);
    }

    [Fact]
    public void An_exec_joins_the_job_that_asked_for_it_even_in_a_container_started_outside_every_job()
    {
        JobWithDockerClient();
        _trace.Spawn(Key(2), Key(30), "/bin/sleep")
            .Add(new ContainerActivity(_trace.Now, ContainerAction.Started, Id, "svc", "busybox:1", []) { Process = Key(30) })
            .Spawn(Key(2), Key(31), "/bin/wget")
            .Add(Activity(ContainerAction.ExecStarted, Key(31), Key(11)));
        Run();

        var job = Assert.Single(_tracker.ActiveJobs);
        Assert.Null(JobOf(30));
        Assert.Equal(job.Id, JobOf(31));
        Assert.False(Assert.Single(job.Containers).Running);
    }

    [Fact]
    public void Clients_in_two_jobs_are_ambiguous_and_the_container_joins_neither()
    {
        JobWithDockerClient();
        _trace.Spawn(Key(1), Key(40), "/usr/bin/bash", GitHub(runId: "99"))
            .Spawn(Key(40), Key(41), "/usr/bin/docker", GitHub(runId: "99"))
            .Spawn(Key(2), Key(21), "/bin/wget")
            .Add(Activity(ContainerAction.Created, null, Key(11), Key(41)))
            .Add(Activity(ContainerAction.Started, Key(21), Key(11), Key(41)));
        Run();

        Assert.Null(JobOf(21));
        Assert.Equal(2, _tracker.ContainersAmbiguous);
        Assert.All(_tracker.ActiveJobs, job => Assert.Empty(job.Containers));
    }

    [Fact]
    public void A_container_left_running_does_not_keep_its_job_alive_and_shows_as_running_at_the_end()
    {
        JobWithDockerClient();
        _trace.Add(Activity(ContainerAction.Created, null, Key(11)))
            .Spawn(Key(2), Key(21), "/bin/sleep")
            .Add(Activity(ContainerAction.Started, Key(21)))
            .Exit(Key(11)).Exit(Key(10));
        Run();

        var job = Assert.Single(_observer.Ended);
        Assert.Equal("every process of the job exited", job.EndReason);
        Assert.True(Assert.Single(job.Containers).Running);

        _trace.Add(Activity(ContainerAction.Exited, null));
        Run();
        Assert.False(job.Containers[0].Running);
    }

    [Fact]
    public void A_shim_for_a_container_no_job_asked_for_stays_outside_every_job()
    {
        JobWithDockerClient();
        _trace.Fork(Key(2), Key(20)).Exec(Key(20), Details(Shim, null, Shim, "-id", Id))
            .Add(Activity(ContainerAction.Created, null));
        Run();

        Assert.Null(JobOf(20));
        Assert.Empty(_observer.Enlisted);
    }
}
