namespace BuildSentry.Linux.Dns;

/// <summary>A token that is cancelled when a limit passes on the injected clock or when stopping begins.</summary>
internal sealed class Deadline : IDisposable
{
    private readonly CancellationTokenSource _timeout;
    private readonly CancellationTokenSource _linked;
    private readonly CancellationToken _stopping;

    public Deadline(TimeSpan limit, TimeProvider time, CancellationToken stopping)
    {
        _timeout = new CancellationTokenSource(limit, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(_timeout.Token, stopping);
        _stopping = stopping;
    }

    public CancellationToken Token => _linked.Token;

    /// <summary>The limit passed (as opposed to a stop).</summary>
    public bool Expired => _timeout.IsCancellationRequested && !_stopping.IsCancellationRequested;

    public void Dispose()
    {
        _linked.Dispose();
        _timeout.Dispose();
    }
}
