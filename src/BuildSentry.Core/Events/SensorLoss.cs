namespace BuildSentry.Core.Events;

/// <summary>A sensor lost events (netlink ENOBUFS, a sequence gap, pcap drops). Never silent.</summary>
public sealed record SensorLoss(DateTimeOffset Time, string Sensor, long Lost, string Reason) : SensorEvent(Time);
