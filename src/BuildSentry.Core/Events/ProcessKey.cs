namespace BuildSentry.Core.Events;

/// <summary>
/// A process's identity: pids are reused, so a pid alone names different processes over time.
/// <see cref="StartTime"/> is field 22 of /proc/PID/stat (clock ticks since boot).
/// </summary>
public readonly record struct ProcessKey(int Pid, ulong StartTime)
{
    public override string ToString() => $"{Pid}@{StartTime}";
}
