namespace BuildSentry.Core.Alerts;

/// <summary>Ordered by urgency. Maps to syslog severities and CEF's 0–10 scale in the formatters.</summary>
public enum AlertSeverity
{
    Info,
    Warning,
    High,
    Critical,
}
