using BuildSentry.Core.Events;

namespace BuildSentry.Daemon;

/// <summary>
/// Work that must run on the monitor loop (control requests, reloads, timers), queued in the same
/// channel as sensor events so it sees the state those events made. Never traced.
/// </summary>
internal sealed record LoopWork(DateTimeOffset Time, Action Work) : SensorEvent(Time);
