namespace BuildSentry.Core.Events;

/// <summary>
/// <paramref name="Client"/> holds a connection to the .NET diagnostics IPC socket of the runner
/// worker <paramref name="Worker"/>: the port that can dump the worker's memory (the job's secrets)
/// or load a startup hook into it.
/// </summary>
public sealed record RunnerDiagnosticsContacted(DateTimeOffset Time, ProcessKey Client, ProcessKey Worker) : SensorEvent(Time);
