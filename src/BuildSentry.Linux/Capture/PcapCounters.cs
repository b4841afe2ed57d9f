namespace BuildSentry.Linux.Capture;

/// <summary>
/// libpcap's counters for one device. On Linux, <see cref="Received"/> counts packets that passed the
/// kernel filter, so it stays small when the filter keeps bulk data in the kernel.
/// </summary>
public readonly record struct PcapCounters(string Device, uint Received, uint Dropped, uint InterfaceDropped);
