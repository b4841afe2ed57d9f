using BuildSentry.Core.Events;

namespace BuildSentry.Linux.Capture;

/// <summary>Turns cumulative pcap counters into a <see cref="SensorLoss"/> whenever drops grow.</summary>
public sealed class PcapLossTracker
{
    public const string SensorName = "pcap";

    private readonly Dictionary<string, PcapCounters> _last = new(StringComparer.Ordinal);

    /// <summary>Returns a loss event when any device dropped packets since the previous call, else null.</summary>
    public SensorLoss? Observe(IEnumerable<PcapCounters> counters, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(counters);
        long lost = 0;
        var reasons = new List<string>();
        foreach (var current in counters)
        {
            _last.TryGetValue(current.Device, out var previous);
            _last[current.Device] = current;
            // Unsigned subtraction, so a counter that wrapped past 2^32 still yields the true delta.
            var dropped = unchecked(current.Dropped - previous.Dropped);
            var interfaceDropped = unchecked(current.InterfaceDropped - previous.InterfaceDropped);
            if (dropped == 0 && interfaceDropped == 0)
                continue;
            var received = unchecked(current.Received - previous.Received);
            lost += (long)dropped + interfaceDropped;
            reasons.Add($"{current.Device}: {dropped} dropped by the kernel buffer, {interfaceDropped} by the interface, {received} received");
        }
        return lost == 0 ? null : new SensorLoss(time, SensorName, lost, string.Join("; ", reasons));
    }
}
