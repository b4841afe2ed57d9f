namespace BuildSentry.Linux.Processes;

/// <summary>
/// A process sensor's reader thread: started once, named after its sensor, stopped with a bounded wait, since a reader
/// that is wedged (the reason the daemon is stopping, see the daemon's watchdog) must not hang the stop.
/// </summary>
internal sealed class ReaderThread(string name, Action run)
{
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;

    public CancellationToken Token => _stop.Token;

    public bool IsStopping => _stop.IsCancellationRequested;

    /// <summary>Starts the reader once; <paramref name="prepare"/> (opening what it reads) runs after the checks, before it.</summary>
    public void Start(object owner, Action? prepare = null)
    {
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, owner);
        if (_thread is not null)
        {
            throw new InvalidOperationException($"The {name} sensor is already started.");
        }

        prepare?.Invoke();
        _thread = new Thread(() => run()) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Cancels and waits for the reader; false when it did not stop in time (or was stopped before), and the
    /// caller must then leave what the reader uses in place.</summary>
    public bool Stop()
    {
        if (_stop.IsCancellationRequested)
        {
            return false;
        }

        _stop.Cancel();
        if (_thread?.Join(StopWait) == false)
        {
            return false;
        }

        _stop.Dispose();
        return true;
    }
}
