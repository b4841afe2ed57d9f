namespace BuildSentry.Core.Alerts;

/// <summary>
/// A bounded queue between the monitor (which must never wait) and one slow sink. When full, the
/// oldest non-critical alert makes room; only when every queued alert is critical does the oldest
/// critical one go. Every drop is counted, so the sink can report it once delivery resumes.
/// </summary>
public sealed class AlertQueue(int capacity)
{
    private readonly LinkedList<Alert> _items = new();
    private readonly SemaphoreSlim _available = new(0);
    private readonly Lock _lock = new();
    private long _dropped;
    private long _unreported;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Alerts dropped since the queue was made.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Enqueue(Alert alert)
    {
        lock (_lock)
        {
            var full = _items.Count >= capacity;
            if (full)
            {
                var victim = _items.First;
                for (var node = _items.First; node is not null; node = node.Next)
                {
                    if (!node.Value.IsCritical)
                    {
                        victim = node;
                        break;
                    }
                }

                if (!alert.IsCritical && victim is { Value.IsCritical: true })
                {
                    // Everything queued outranks the newcomer: the newcomer is the one to go.
                    CountDrop();
                    return;
                }

                _items.Remove(victim!);
                CountDrop();
            }

            _items.AddLast(alert);
            if (full)
            {
                return;
            }
        }

        _available.Release();
    }

    /// <summary>Waits for the oldest alert without removing it: it is removed only once delivered.</summary>
    public async ValueTask<Alert> PeekAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _available.WaitAsync(cancellationToken);
            lock (_lock)
            {
                if (_items.First is { } first)
                {
                    _available.Release();
                    return first.Value;
                }
            }
        }
    }

    /// <summary>Removes a delivered alert (it may already have been dropped to make room meanwhile).</summary>
    public void Remove(Alert delivered)
    {
        bool removed;
        lock (_lock)
        {
            removed = _items.Remove(delivered);
        }

        if (removed)
        {
            _available.Wait(0);
        }
    }

    /// <summary>
    /// Puts alerts that were taken out as delivered but turned out lost back at the head, oldest first.
    /// They were already inside the bound once, so they may push the queue briefly past it.
    /// </summary>
    public void Requeue(IReadOnlyList<Alert> lost)
    {
        lock (_lock)
        {
            for (var i = lost.Count - 1; i >= 0; i--)
            {
                _items.AddFirst(lost[i]);
            }
        }

        if (lost.Count > 0)
        {
            _available.Release(lost.Count);
        }
    }

    /// <summary>Takes the count of drops not yet reported.</summary>
    public long TakeUnreportedDrops() => Interlocked.Exchange(ref _unreported, 0);

    private void CountDrop()
    {
        Interlocked.Increment(ref _dropped);
        Interlocked.Increment(ref _unreported);
    }
}
