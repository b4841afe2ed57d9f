using Microsoft.Extensions.Logging;

namespace BuildSentry.Control;

internal sealed partial class ControlServer
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Control socket listening on {Path} (group {Group})")]
    private partial void LogListening(string path, string group);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Control socket on {Path} stopped")]
    private partial void LogStopped(string path);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "Control request refused from pid {Pid} uid {Uid}: {Reason}")]
    private partial void LogRefused(int pid, int uid, string reason);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Information, Message = "Control request {Command} from pid {Pid} uid {Uid}: {Outcome}")]
    private partial void LogHandled(string command, int pid, int uid, string outcome);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Warning, Message = "Control client pid {Pid} uid {Uid} sent no request within {TimeoutMs} ms")]
    private partial void LogRequestTimedOut(int pid, int uid, double timeoutMs);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Error, Message = "The daemon failed to handle control request {Command}")]
    private partial void LogHandlerFailed(Exception exception, string command);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Debug, Message = "Control connection ended early: {Error}")]
    private partial void LogConnectionLost(string error);

    [LoggerMessage(EventId = 7008, Level = LogLevel.Warning, Message = "Accepting a control connection failed: {Error}")]
    private partial void LogAcceptFailed(string error);

    [LoggerMessage(EventId = 7009, Level = LogLevel.Warning, Message = "Control request from pid {Pid} carried {Count} metadata key(s) that are not job markers; they were dropped")]
    private partial void LogMetadataDropped(int pid, int count);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Error, Message = "Control connection failed unexpectedly")]
    private partial void LogConnectionFailed(Exception exception);
}
