namespace BuildSentry.Daemon;

/// <summary>Why the daemon stopped itself, if it did: `buildsentry run` then exits non-zero, so systemd restarts it.</summary>
internal sealed class DaemonExit
{
    private string? _failure;

    public string? Failure => Volatile.Read(ref _failure);

    public void Fail(string reason) => Interlocked.CompareExchange(ref _failure, reason, null);
}
