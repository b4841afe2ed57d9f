using BuildSentry.Core.Alerts;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Daemon;

/// <summary>Every alert also becomes one journal (or console) line, whatever syslog targets exist.</summary>
internal sealed partial class LogAlertSink(ILogger<LogAlertSink> logger) : IAlertSink
{
    public void Publish(Alert alert)
    {
        var fields = string.Join(' ', AlertFields.Of(alert).Select(f => $"{f.Name}=\"{f.Value.Replace("\"", "\\\"", StringComparison.Ordinal)}\""));
        var summary = AlertText.Summary(alert);
        switch (alert.Severity)
        {
            case AlertSeverity.Critical:
            case AlertSeverity.High:
                LogViolation(summary, fields);
                break;
            case AlertSeverity.Warning:
                LogWarning(summary, fields);
                break;
            default:
                LogInfo(summary, fields);
                break;
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "ALERT {Summary} [{Fields}]")]
    private partial void LogViolation(string summary, string fields);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "ALERT {Summary} [{Fields}]")]
    private partial void LogWarning(string summary, string fields);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "{Summary} [{Fields}]")]
    private partial void LogInfo(string summary, string fields);
}
