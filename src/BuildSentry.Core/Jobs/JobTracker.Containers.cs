using BuildSentry.Core.Containers;
using BuildSentry.Core.Events;
using BuildSentry.Core.Processes;

namespace BuildSentry.Core.Jobs;

/// <summary>
/// Work a job hands to a container runtime joins the job. The runtime's events name the job through the client that
/// asked (<see cref="ContainerActivity.Clients"/>); the container's processes are then made members: its runtime shim
/// as it starts, which every process of the container descends from (so they join before they first run), and, where
/// the shim was missed, its init and each exec'd process as the runtime reports them.
/// </summary>
public sealed partial class JobTracker
{
    private const int MaxContainers = 4096;

    private readonly Dictionary<string, ContainerRecord> _containers = new(StringComparer.Ordinal);

    /// <summary>Runtime events whose clients were in more than one job: the container joined none of them.</summary>
    public long ContainersAmbiguous { get; private set; }

    /// <summary>Containers of jobs forgotten because the table was full (the oldest exited ones go first).</summary>
    public long ContainersForgotten { get; private set; }

    private void OnContainer(ContainerActivity e)
    {
        _containers.TryGetValue(e.ContainerId, out var container);
        switch (e.Action)
        {
            case ContainerAction.Created:
                if (container is null && AskingJob(e) is { } job)
                {
                    Remember(e, job);
                }

                break;
            case ContainerAction.Started:
                container ??= AskingJob(e) is { } starter ? Remember(e, starter) : null;
                if (container is not null)
                {
                    container.StartedAt ??= e.Time;
                    container.ExitedAt = null;
                    JoinStarted(container, e.Process);
                }

                break;
            case ContainerAction.ExecStarted:
                // Whoever asked for the exec owns what it runs, also in a container another job (or nobody) started.
                if ((AskingJob(e) ?? JobOf(container)) is { } execJob)
                {
                    container ??= Remember(e, execJob);
                    JoinStarted(container, e.Process, execJob);
                }

                break;
            case ContainerAction.Exited when container is not null:
                container.ExitedAt = e.Time;
                break;
        }
    }

    /// <summary>The one active job among the API's clients; null for none, or several (counted).</summary>
    private JobRecord? AskingJob(ContainerActivity e)
    {
        JobRecord? found = null;
        foreach (var client in e.Clients)
        {
            if (!Processes.TryGet(client, out var process) || JobOf(process) is not { IsActive: true } job || job == found)
            {
                continue;
            }

            if (found is not null)
            {
                ContainersAmbiguous++;
                return null;
            }

            found = job;
        }

        return found;
    }

    private JobRecord? JobOf(ContainerRecord? container) =>
        container is not null && TryGetJob(container.JobId, out var job) && job.IsActive ? job : null;

    private ContainerRecord Remember(ContainerActivity e, JobRecord job)
    {
        if (_containers.Count >= MaxContainers)
        {
            var oldest = _containers.Values.Where(c => !c.Running).MinBy(c => c.CreatedAt) ?? _containers.Values.MinBy(c => c.CreatedAt)!;
            _containers.Remove(oldest.Id);
            ContainersForgotten++;
        }

        var container = new ContainerRecord(e.ContainerId, e.Name, e.Image, job.Id, e.Time);
        _containers[e.ContainerId] = container;
        job.AddContainer(container);
        return container;
    }

    /// <summary>The process and its live descendants (forked before it joined) become members.</summary>
    private void JoinStarted(ContainerRecord container, ProcessKey? key, JobRecord? job = null)
    {
        job ??= JobOf(container);
        if (job is null || key is not { } started || !Processes.TryGet(started, out var process) || !process.IsAlive)
        {
            return;
        }

        var joining = Processes.Live.Where(p => p.JobId is null && (p == process || DescendsFrom(p, process))).ToList();
        foreach (var member in joining)
        {
            JoinContainer(member, container, job);
        }
    }

    private JobRecord JoinContainer(ProcessRecord process, ContainerRecord container, JobRecord? job = null)
    {
        job ??= JobOf(container)!;
        Join(process, job, viaContainer: true);
        container.ProcessesJoined++;
        _placement.Enlist(job, process.Key);
        return job;
    }

    /// <summary>The container a runtime shim serves (<c>containerd-shim-runc-v2 ... -id ID</c>), when it belongs to
    /// an active job.</summary>
    private ContainerRecord? ContainerOfShim(ProcessDetails details)
    {
        var name = details.Exe.AsSpan(details.Exe.LastIndexOf('/') + 1);
        if (!name.StartsWith("containerd-shim", StringComparison.Ordinal))
        {
            return null;
        }

        var argv = details.Argv;
        for (var i = 1; i + 1 < argv.Count; i++)
        {
            if (argv[i] == "-id" && _containers.TryGetValue(argv[i + 1], out var container) && JobOf(container) is not null)
            {
                return container;
            }
        }

        return null;
    }
}
