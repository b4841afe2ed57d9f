namespace BuildSentry.Core.Reports;

/// <summary>The one word every rendering of a report leads with.</summary>
public static class JobVerdict
{
    public const string Killed = "KILLED";
    public const string Violations = "VIOLATIONS";
    public const string Clean = "CLEAN";

    public static string Of(JobReport report) =>
        report.Kill is not null ? Killed : report.ViolationCount > 0 ? Violations : Clean;
}
