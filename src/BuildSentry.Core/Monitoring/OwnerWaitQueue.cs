using BuildSentry.Core.Events;

namespace BuildSentry.Core.Monitoring;

/// <summary>
/// Holds network findings whose socket owner the process sensor has not reported yet (see
/// <see cref="JobMonitor.AwaitsOwner"/>). Findings leave in the order they were captured: one that waits
/// holds every later one behind it, since a DNS answer names the address of a later connection.
/// A finding leaves when its owner is known, when the process sensor has caught up past its capture time
/// (the owner was never reported: a process already gone, or of another pid namespace), or after
/// <paramref name="maxWait"/>: under a fork storm the sensor may trail for longer, and a finding is then
/// judged without its process rather than late. Not thread-safe: the caller holds the monitor's lock.
/// </summary>
public sealed class OwnerWaitQueue(JobMonitor monitor, Action<SensorEvent> handle, TimeSpan maxWait)
{
    private readonly Queue<SensorEvent> _waiting = new();

    public int Count => _waiting.Count;

    /// <summary>Handles <paramref name="e"/> now, or queues it when it must wait.</summary>
    public void Admit(SensorEvent e, DateTimeOffset now, DateTimeOffset caughtUp)
    {
        if (JobMonitor.IsNetworkFinding(e) && (_waiting.Count > 0 || monitor.AwaitsOwner(e)))
        {
            _waiting.Enqueue(e);
            Release(now, caughtUp);
            return;
        }

        handle(e);
    }

    /// <summary>Handles the findings at the head that may leave; with <paramref name="all"/> every one.</summary>
    public void Release(DateTimeOffset now, DateTimeOffset caughtUp, bool all = false)
    {
        while (_waiting.TryPeek(out var head)
               && (all || caughtUp > head.Time || now - head.Time >= maxWait || !monitor.AwaitsOwner(head)))
        {
            _waiting.Dequeue();
            handle(head);
        }
    }
}
