namespace BuildSentry.Linux.Attribution;

/// <summary>
/// The pids of processes in active jobs, published by the monitor loop and read by the capture
/// thread, which searches them first when it looks for a socket's owner.
/// </summary>
public sealed class JobPids
{
    private volatile int[] _pids = [];

    public IReadOnlyCollection<int> Current => _pids;

    public void Publish(int[] pids) => _pids = pids;
}
