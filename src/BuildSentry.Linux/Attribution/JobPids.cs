namespace BuildSentry.Linux.Attribution;

/// <summary>
/// The pids of processes in active jobs, published by the monitor loop and read by the capture
/// thread, which searches them first when it looks for a socket's owner.
/// </summary>
public sealed class JobPids
{
    private volatile int[] _pids = [];
    private volatile HashSet<int> _settled = [];

    public IReadOnlyCollection<int> Current => _pids;

    /// <summary>Whether <paramref name="pid"/> is a process of a job whose metadata is complete (see
    /// <see cref="Processes.ProcessSensorOptions.ParentJobSettled"/>).</summary>
    public bool IsSettled(int pid) => _settled.Contains(pid);

    public void Publish(int[] pids) => _pids = pids;

    /// <summary>Publishes both sets; each is replaced whole, never changed after, so readers need no lock.</summary>
    public void Publish(int[] pids, HashSet<int> settled)
    {
        _settled = settled;
        _pids = pids;
    }
}
