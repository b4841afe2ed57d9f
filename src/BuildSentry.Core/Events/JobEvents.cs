using BuildSentry.Core.Jobs;

namespace BuildSentry.Core.Events;

/// <summary>Explicit registration (runner hook through the control socket): this process roots a job.</summary>
/// <param name="SpareRoot"><paramref name="Root"/> is the runner's own process, not job code: a kill spares it (see <see cref="JobRecord.Spared"/>).</param>
public sealed record JobRegistrationRequested(DateTimeOffset Time, ProcessKey Root, JobMetadata Metadata, bool SpareRoot = false) : SensorEvent(Time);

public sealed record JobEndRequested(DateTimeOffset Time, string JobId, string Reason) : SensorEvent(Time);

/// <summary>A .NET runner worker (Runner.Worker, Agent.Worker) whose tracking id was read over diagnostics IPC.</summary>
public sealed record RunnerWorkerDiscovered(DateTimeOffset Time, ProcessKey Worker, JobMetadata Metadata) : SensorEvent(Time);

/// <summary>
/// The end of a kill whose signal went out earlier (see <see cref="Enforcement.KillResult.ExitPending"/>): the wait for the
/// job's processes to exit runs off the monitor, so that a slow death holds up no other job, and reports back here.
/// </summary>
public sealed record JobKillCompleted(DateTimeOffset Time, string JobId, string Method, int Signalled, string? Error) : SensorEvent(Time);
