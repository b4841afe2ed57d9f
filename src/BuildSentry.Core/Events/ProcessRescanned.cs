namespace BuildSentry.Core.Events;

/// <summary>
/// A full /proc scan: every process alive at <see cref="SensorEvent.Time"/>. Sent at start (adoption)
/// and after event loss (reconciliation): the table adopts what it lacks and retires what is gone.
/// </summary>
public sealed record ProcessRescanned(DateTimeOffset Time, string Reason, IReadOnlyList<ProcessSnapshot> Processes)
    : SensorEvent(Time);
