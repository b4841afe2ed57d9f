using Microsoft.Extensions.Logging;

namespace BuildSentry.Linux.Enforcement;

public sealed partial class CgroupPlacement
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "cgroup v2 is unavailable ({Reason}): jobs will be killed by pidfd sweeps, which a process that leaves the tree before the kill can escape")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Could not create the cgroup of job {JobId}: {Error}")]
    private static partial void LogCreateFailed(ILogger logger, string jobId, string error);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Could not move {Process} of job {JobId} into its cgroup: {Error}")]
    private static partial void LogMoveFailed(ILogger logger, string jobId, string process, string error);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "{Process} of job {JobId} exited while it was moved to {Path}: its pid may have named another process by then")]
    private static partial void LogMoveRaced(ILogger logger, string jobId, string process, string path);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Information, Message = "Job {JobId} ended with {Count} processes still in {Path}; the cgroup is removed once they exit")]
    private static partial void LogLeftOver(ILogger logger, string jobId, string path, int count);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Information, Message = "Moving {Process} into the cgroup of job {JobId} took {Milliseconds:F1} ms: this kernel makes moves into a cgroup wait (an RCU grace period), and a kill that meets a move under way waits for it. On Linux 6.18 and later the cgroup2 mount option favordynmods removes the wait (docs/operations.md). Said once; status counts slow moves")]
    private static partial void LogSlowMove(ILogger logger, string process, string jobId, double milliseconds);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Warning, Message = "A cgroup placement step failed: {Error}")]
    private static partial void LogWorkFailed(ILogger logger, string error);
}
