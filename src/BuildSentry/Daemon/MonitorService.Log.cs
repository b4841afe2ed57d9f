using Microsoft.Extensions.Logging;

namespace BuildSentry.Daemon;

internal sealed partial class MonitorService
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "BuildSentry started: {Profiles} profiles from {Directory}, default mode {Mode}")]
    private partial void LogStarted(int profiles, string directory, string mode);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "BuildSentry stopping")]
    private partial void LogStopping();

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Profile problem: {Problem}")]
    private partial void LogProfileProblem(string problem);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Reloaded {Profiles} profiles ({Cause})")]
    private partial void LogReloaded(int profiles, string cause);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Packet capture is disabled in the configuration: connections and DNS are not monitored")]
    private partial void LogCaptureDisabled();

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Packet capture could not start: {Error}; connections and DNS are not monitored")]
    private partial void LogCaptureFailed(string error);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Control request from pid {Pid} refused: {Reason}")]
    private partial void LogControlRefused(int pid, string reason);

    [LoggerMessage(EventId = 8, Level = LogLevel.Critical, Message = "The {Sensor} sensor failed: {Error}")]
    private partial void LogSensorFault(string sensor, string error);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Kernel attribution of flows to job cgroups is unavailable ({Error}): flows are attributed from user space only, which loses sockets closed within a millisecond")]
    private partial void LogKernelTagsUnavailable(string error);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "A cgroup slot for kernel attribution could not be prepared: {Error}")]
    private partial void LogKernelTagRule(string error);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "SIGHUP was ignored by the process that started the daemon (nohup or similar); its default is restored so that SIGHUP reloads")]
    private partial void LogSighupUnignored();

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "The process sensor's reader runs with scheduling '{Scheduling}', not nice -10 with the shortest slice: the kernel or a seccomp filter refused (CAP_SYS_NICE, sched_setattr; packaging/README.md). Under a build that keeps every core busy more short-lived processes are read after they exited and are reported without their program (status: processExecsUnread)")]
    private partial void LogReaderNotRaised(string scheduling);
}
