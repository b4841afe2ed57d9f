using BuildSentry.Core.Events;
using BuildSentry.Core.Processes;

namespace BuildSentry.Core.Jobs;

public sealed partial class JobTracker
{
    private void OnFork(ProcessForked fork)
    {
        if (Processes.TryGetLive(fork.Child.Pid, out var stale))
        {
            // The pid was reused and its previous owner's exit was lost: close that identity first.
            Exit(stale, fork.Time, -1);
        }

        Processes.TryGetLive(fork.Parent.Pid, out var parent);
        var child = new ProcessRecord(fork.Child, fork.Parent, parent?.Details ?? ProcessDetails.Unknown, null, fork.Time)
        {
            HasExecuted = false,
        };
        Processes.Add(child);
        var job = parent is not null ? JobOf(parent) : null;
        if (job is { IsActive: true })
        {
            Join(child, job, parent!.ViaContainer);
            if (child.ViaContainer && fork.KernelJobSlot == 0)
            {
                // Forked before its parent's enlistment reached the kernel: it did not inherit the job there.
                _placement.Enlist(job, fork.Child);
            }
            else if (job.CgroupPath is not null && fork.Time - job.StartedAt < PlacementSettling)
            {
                _placement.Adopt(job, fork);
            }
        }

        _observer.ProcessStarted(child, job, exec: false);
    }

    private void OnExec(ProcessExecuted exec)
    {
        var process = LiveOrAdopt(exec.Process, default, exec.Details, exec.Time);
        process.Details = exec.Details;
        process.HasExecuted = true;
        var job = JobOf(process);
        if (job is { IsActive: true })
        {
            job.RecordExec(exec.Details.Exe);
            if (JobMarkers.Detect(exec.Details.JobMarkers) is { } seen && job.Metadata.IsSameJob(seen))
            {
                job.Metadata = job.Metadata.Enrich(seen);
            }
        }
        else if (JobMarkers.Detect(exec.Details.JobMarkers) is { } metadata)
        {
            job = JoinOrStartByMarkers(process, metadata, exec.Time);
        }
        else if (ContainerOfShim(exec.Details) is { } container)
        {
            job = JoinContainer(process, container);
        }

        _observer.ProcessStarted(process, job, exec: true);
    }

    private JobRecord JoinOrStartByMarkers(ProcessRecord process, JobMetadata metadata, DateTimeOffset time)
    {
        foreach (var active in _active.Values)
        {
            if (active.Metadata.IsSameJob(metadata))
            {
                active.Metadata = active.Metadata.Enrich(metadata);
                Join(process, active);
                return active;
            }
        }

        var job = StartJob(metadata, process, time, JobDetection.EnvironmentMarkers);
        Place(job);
        return job;
    }

    private void OnExit(ProcessExited exit)
    {
        if (Processes.TryGetLive(exit.Process.Pid, out var process))
        {
            Exit(process, exit.Time, exit.ExitCode);
        }
    }

    private void OnComm(ProcessCommChanged comm)
    {
        if (Processes.TryGetLive(comm.Process.Pid, out var process))
        {
            process.Details = process.Details with { Comm = comm.Comm };
        }
    }

    private void Exit(ProcessRecord process, DateTimeOffset time, int exitCode)
    {
        Processes.MarkExited(process, time, exitCode);
        var job = JobOf(process);
        if (job is { IsActive: true } && process.ViaContainer)
        {
            job.LiveContainerProcesses--;
        }
        else if (job is { IsActive: true })
        {
            job.LiveProcesses--;
        }

        _observer.ProcessExited(process, job);
        if (job is { IsActive: true, LiveProcesses: <= 0 })
        {
            EndJob(job, time, "every process of the job exited");
        }
    }

    /// <summary>The live record for a key, or a new one for a process whose fork we never saw.</summary>
    private ProcessRecord LiveOrAdopt(ProcessKey key, ProcessKey parentKey, ProcessDetails details, DateTimeOffset time)
    {
        if (Processes.TryGetLive(key.Pid, out var live))
        {
            if (live.Key == key || key.StartTime == 0)
            {
                return live;
            }

            Exit(live, time, -1);
        }

        var parent = parentKey.Pid > 0 && Processes.TryGetLive(parentKey.Pid, out var p) ? p : null;
        var adopted = new ProcessRecord(key, parentKey, details, null, time) { HasExecuted = details != ProcessDetails.Unknown };
        Processes.Add(adopted);
        if (parent is not null && JobOf(parent) is { IsActive: true } job)
        {
            Join(adopted, job, parent.ViaContainer);
        }

        return adopted;
    }
}
