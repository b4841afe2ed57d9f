namespace BuildSentry.Control;

/// <summary>The values of <see cref="ControlRequest.Command"/> the daemon understands.</summary>
public static class ControlCommands
{
    public const string JobStart = "job-start";
    public const string JobEnd = "job-end";
    public const string Status = "status";
    public const string Reload = "reload";
    public const string JobReport = "job-report";

    public static bool IsKnown(string? command) => command is JobStart or JobEnd or Status or Reload or JobReport;
}
