using BuildSentry.Core.Events;
using BuildSentry.Linux.Cgroups;
using BuildSentry.Linux.Interop;
using BuildSentry.Linux.Processes;
using static Tmds.Linux.LibC;

namespace BuildSentry.Linux.Enforcement;

/// <summary>
/// The runner's own process in a job (<see cref="Core.Jobs.JobRecord.Spared"/>, most often the job's root), held through
/// a pidfd and stopped for the length of a kill: a stopped process cannot fork, so nothing it would start meanwhile
/// (the runner's next step or completion hook) is born among the processes being killed, or outside them. Taken out of
/// the job's cgroup before cgroup.kill, put back once the cgroup is empty, then resumed.
/// </summary>
internal sealed class SparedRoot : IDisposable
{
    private readonly int _pidfd;
    private bool _resumed;
    private bool _disposed;

    private SparedRoot(ProcessKey key, int pidfd)
    {
        Key = key;
        _pidfd = pidfd;
    }

    public ProcessKey Key { get; }

    public int Pid => Key.Pid;

    public int PidFd => _pidfd;

    /// <summary>The cgroup the root waits in while its job's cgroup is killed; null while it was not moved.</summary>
    public string? Aside { get; private set; }

    /// <summary>Stops the root when the pid is still its process (pid and start time, checked while the pidfd holds it);
    /// null when it is gone or the pid names another process: then there is nothing to spare.</summary>
    public static SparedRoot? Stop(ProcFs proc, ProcessKey root)
    {
        if (root.Pid <= 1 || root.Pid == Environment.ProcessId)
        {
            return null;
        }

        var pidfd = Interop.PidFd.Open(root.Pid);
        if (pidfd < 0)
        {
            return null;
        }

        if (proc.TryGetKey(root.Pid) == root && Interop.PidFd.SendSignal(pidfd, SIGSTOP) && !Interop.PidFd.HasExited(pidfd))
        {
            return new SparedRoot(root, pidfd);
        }

        Interop.PidFd.Close(pidfd);
        return null;
    }

    /// <summary>Moves the root into a sibling of the job's cgroup (made if missing), out of reach of its cgroup.kill.</summary>
    public CgroupResult MoveAside(string jobCgroup)
    {
        var aside = AsidePath(jobCgroup);
        var made = JobCgroups.CreateDirectory(aside);
        var moved = made.Succeeded ? JobCgroups.MoveProcess(aside, Pid) : made;
        Aside = moved.Succeeded ? aside : null;
        return moved;
    }

    /// <summary>
    /// Puts the root back into the job's cgroup, so its later children are born there, and kills whatever is left in the
    /// sibling: only a fork of the root, made while something else resumed it during the kill; nothing started while the
    /// job was being killed outlives the kill. Returns how many were killed there.
    /// </summary>
    public int MoveBack(string jobCgroup)
    {
        if (Aside is not { } aside)
        {
            return 0;
        }

        JobCgroups.MoveProcess(jobCgroup, Pid);
        var left = JobCgroups.Processes(aside).Count(pid => pid != Pid);
        if (left > 0)
        {
            JobCgroups.Kill(aside);
        }

        return left;
    }

    /// <summary>Removes the sibling once it is empty; a killed process still exiting keeps it, and a later kill reuses it.</summary>
    public void RemoveAside()
    {
        if (Aside is { } aside && JobCgroups.Processes(aside).Count == 0)
        {
            JobCgroups.Remove(aside);
        }
    }

    public void Resume()
    {
        if (!_resumed)
        {
            _resumed = true;
            Interop.PidFd.SendSignal(_pidfd, SIGCONT);
        }
    }

    /// <summary>Resumes the root whatever happened: a kill never leaves the runner stopped.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            Resume();
            Interop.PidFd.Close(_pidfd);
        }
    }

    /// <summary>A name no job id can take ('+' is not in a job id), beside the job's cgroup: under the same slot.</summary>
    internal static string AsidePath(string jobCgroup) => jobCgroup.TrimEnd('/') + "+root";
}
