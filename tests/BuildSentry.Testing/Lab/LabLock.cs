namespace BuildSentry.Testing.Lab;

/// <summary>
/// There is one lab per machine, and several worktrees' test runs may want it at once. The first
/// test process to start a lab takes an exclusive lock (.NET's FileShare.None is flock(2) on Linux)
/// and keeps it until it exits, when the kernel releases it, crash or not. Within one process the
/// tests' own collections keep labs from overlapping.
/// </summary>
internal static class LabLock
{
    private const string Path = "/run/buildsentry-lab.lock";
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static FileStream? s_held;

    public static async Task AcquireAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            var deadline = DateTime.UtcNow + timeout;
            while (s_held is null)
            {
                try
                {
                    s_held = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(Poll, cancellationToken);
                }
                catch (IOException e)
                {
                    throw new TimeoutException($"Another process has held the network lab ({Path}) for {timeout}.", e);
                }
            }
        }
        finally
        {
            Gate.Release();
        }
    }
}
