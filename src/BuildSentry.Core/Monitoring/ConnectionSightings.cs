namespace BuildSentry.Core.Monitoring;

/// <summary>
/// One connection can be reported twice: by the kernel at the connect (eBPF) and by the capture as its first packet
/// leaves. Each sighting from one source is matched with one from the other within <see cref="Window"/> and judged once;
/// a connection only one of them saw (a job's process not yet in the kernel's membership map, a capture drop) is still
/// judged. Per job, bounded.
/// </summary>
internal sealed class ConnectionSightings
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(2);
    private const int MaxDestinations = 4_096;

    private readonly Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);

    /// <summary>Whether this sighting is the second one of a connection the other source already reported.</summary>
    public bool IsSecond(string destination, DateTimeOffset time, bool atSyscall)
    {
        if (_pending.TryGetValue(destination, out var pending) && time - pending.Last <= Window)
        {
            var other = atSyscall ? pending.FromCapture : pending.FromSyscall;
            if (other > 0)
            {
                _pending[destination] = atSyscall ? pending with { FromCapture = other - 1 } : pending with { FromSyscall = other - 1 };
                return true;
            }
        }
        else
        {
            pending = new Pending(time, 0, 0);
        }

        if (_pending.Count >= MaxDestinations && !_pending.ContainsKey(destination))
        {
            Expire(time);
        }

        _pending[destination] = atSyscall
            ? pending with { Last = time, FromSyscall = pending.FromSyscall + 1 }
            : pending with { Last = time, FromCapture = pending.FromCapture + 1 };
        return false;
    }

    private void Expire(DateTimeOffset now)
    {
        foreach (var (key, pending) in _pending.ToList())
        {
            if (now - pending.Last > Window)
            {
                _pending.Remove(key);
            }
        }

        if (_pending.Count >= MaxDestinations)
        {
            // Every entry is recent: a job connecting to thousands of destinations a second. Unmatched sightings
            // are then judged twice, which counts an attempt twice but misses nothing.
            _pending.Clear();
        }
    }

    private readonly record struct Pending(DateTimeOffset Last, int FromSyscall, int FromCapture);
}
