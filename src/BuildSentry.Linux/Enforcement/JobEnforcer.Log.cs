using Microsoft.Extensions.Logging;

namespace BuildSentry.Linux.Enforcement;

public sealed partial class JobEnforcer
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Killed job {JobId} by {Method}: {Signalled} processes in {ElapsedMs:F2} ms; error: {Error}")]
    private static partial void LogKilled(ILogger logger, string jobId, string method, int signalled, double elapsedMs, string error);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "cgroup.kill of job {JobId} at {Path} failed ({Error}); falling back to pidfd sweeps")]
    private static partial void LogCgroupKillFailed(ILogger logger, string jobId, string path, string error);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Job {JobId}: {Count} members were outside its cgroup {Cgroup} and were swept by pidfd")]
    private static partial void LogEscaped(ILogger logger, string jobId, int count, string cgroup);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Job {JobId}: {Reused} member pids were reused and left alone; {AcceptedUnknown} members without a start time were killed as younger than the job, {RefusedUnknown} were refused")]
    private static partial void LogIdentity(ILogger logger, string jobId, int reused, int acceptedUnknown, int refusedUnknown);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Process {Pid} outside every job, killed for its egress on an exclusive host: {Killed}")]
    private static partial void LogProcessKilled(ILogger logger, int pid, bool killed);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Error, Message = "Job {JobId}: its root could not be moved out of the job's cgroup ({Error}); killed with the job")]
    private static partial void LogRootNotSpared(ILogger logger, string jobId, string error);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "Job {JobId}: {Count} processes its spared root started while it was to be stopped were killed")]
    private static partial void LogForkedWhileStopped(ILogger logger, string jobId, int count);
}
