using BuildSentry.Core.Events;
using BuildSentry.Core.Network;

namespace BuildSentry.Core.Monitoring;

/// <summary>
/// Holds network findings whose socket owner the process sensor has not reported yet (see
/// <see cref="JobMonitor.AwaitsOwner"/>). Findings leave in the order they were captured: one that waits
/// holds every later one behind it, since a DNS answer names the address of a later connection.
/// A finding leaves when its owner is known, when the process sensor has caught up past its capture time
/// (the owner was never reported: a process already gone, or of another pid namespace), or after
/// <paramref name="maxWait"/>: under a fork storm the sensor may trail for longer, and a finding is then
/// judged without its process rather than late. In kill mode a denied finding whose job the kernel named does not
/// wait to kill: see <see cref="JobMonitor.KillAhead"/>. Not thread-safe: the caller holds the monitor's lock.
/// </summary>
public sealed class OwnerWaitQueue(JobMonitor monitor, Action<SensorEvent> handle, TimeSpan maxWait)
{
    private readonly LinkedList<SensorEvent> _waiting = new();
    private SensorEvent? _offeredAhead;

    public int Count => _waiting.Count;

    /// <summary>
    /// The process sensor also reports a job member's connect and first UDP datagram at the syscall, with its process
    /// (the eBPF sensor). A connection the capture saw without an owner (the socket closed before it could be looked up)
    /// then waits for that sighting, which the monitor judges in its place: judged first, the capture's would be
    /// alerted without the process and the kernel's, naming it, dropped as the same connection seen twice.
    /// </summary>
    public bool SyscallSightings { get; set; }

    /// <summary>Findings that waited, and how many of them left without their owner known (the sensor had
    /// caught up past them, or the longest wait ran out), for the daemon's status.</summary>
    public long Held { get; private set; }

    public long LeftUnknown { get; private set; }

    public long LeftOnTimeout { get; private set; }

    /// <summary>The longest any finding waited, in milliseconds.</summary>
    public double LongestWaitMs { get; private set; }

    /// <summary>Handles <paramref name="e"/> now, or queues it when it must wait. <paramref name="caughtUp"/>
    /// (until when the process sensor has applied every event) is asked only when a finding waits: it may
    /// cost a system call, and most findings' owners are known.</summary>
    public void Admit(SensorEvent e, DateTimeOffset now, Func<DateTimeOffset> caughtUp)
    {
        if (e is NetworkObservation && (_waiting.Count > 0 || Waits(e)))
        {
            _waiting.AddLast(e);
            Held++;
            Release(now, caughtUp);
            return;
        }

        handle(e);
    }

    /// <summary>Handles the findings at the head that may leave; with <paramref name="all"/> every one.</summary>
    public void Release(DateTimeOffset now, Func<DateTimeOffset> caughtUp, bool all = false)
    {
        DateTimeOffset? sensor = null;
        while (_waiting.First?.Value is { } head)
        {
            var known = !Waits(head);
            var timedOut = now - head.Time >= maxWait;
            var passed = !known && (sensor ??= caughtUp()) > head.Time;
            if (!(all || known || passed || timedOut))
            {
                break;
            }

            _waiting.RemoveFirst();
            LeftUnknown += known ? 0 : 1;
            LeftOnTimeout += !known && timedOut && !passed ? 1 : 0;
            LongestWaitMs = Math.Max(LongestWaitMs, (now - head.Time).TotalMilliseconds);
            if (IsUnnamedCapture(head) && SyscallSightingOf(head) is { } sighting)
            {
                _waiting.Remove(sighting);
                handle(sighting.Value);
            }

            handle(head);
        }

        // A finding that now waits at the head has every earlier one judged: in kill mode it may kill its job now.
        if (_waiting.First?.Value is { } waiting && !ReferenceEquals(waiting, _offeredAhead))
        {
            _offeredAhead = waiting;
            monitor.KillAhead(waiting);
        }
    }

    private bool Waits(SensorEvent e) => monitor.AwaitsOwner(e) || (SyscallSightings && IsUnnamedCapture(e));

    private static bool IsUnnamedCapture(SensorEvent e) =>
        e is ConnectionAttempted or UdpFlowStarted && e is NetworkFinding { Attribution: { Owner: null, AtSyscall: false } };

    /// <summary>The kernel's sighting of the same connection, queued behind it (the kernel's UDP flow has no source).</summary>
    private LinkedListNode<SensorEvent>? SyscallSightingOf(SensorEvent capture)
    {
        var flow = ((NetworkFinding)capture).Flow;
        for (var node = _waiting.First; node is not null; node = node.Next)
        {
            if (node.Value is ConnectionAttempted or UdpFlowStarted && node.Value is NetworkFinding { Attribution.AtSyscall: true } found
                && found.Flow.Protocol == flow.Protocol && found.Flow.Destination.Equals(flow.Destination)
                && found.Flow.DestinationPort == flow.DestinationPort)
            {
                return node;
            }
        }

        return null;
    }
}
