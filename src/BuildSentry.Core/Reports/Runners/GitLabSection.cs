using System.Globalization;
using System.Text;
using BuildSentry.Core.Alerts;

namespace BuildSentry.Core.Reports.Runners;

/// <summary>
/// The report's summary as a collapsible section of a GitLab job log (<c>section_start</c> / <c>section_end</c>),
/// collapsed when the job is clean. The summary has no control character of the job's own, so it cannot close the
/// section or forge another.
/// </summary>
public static class GitLabSection
{
    public const string Name = "buildsentry_report";

    public static string Render(JobReport report, DateTimeOffset now)
    {
        var verdict = JobVerdict.Of(report);
        var unix = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var collapsed = verdict == JobVerdict.Clean ? "true" : "false";
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"\u001b[0Ksection_start:{unix}:{Name}[collapsed={collapsed}]\r\u001b[0K");
        sb.Append(CultureInfo.InvariantCulture, $"BuildSentry: job {AlertText.Clean(report.JobId)} {verdict} ({report.ViolationCount} violation(s))\n");
        sb.Append(JobReportText.Render(report));
        foreach (var v in report.Violations.Where(v => v.Fix is { Length: > 0 }))
        {
            sb.Append(CultureInfo.InvariantCulture, $"Fix for {AlertText.Clean(v.AlertId)}: {AlertText.Clean(v.Fix)}\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"\u001b[0Ksection_end:{unix}:{Name}\r\u001b[0K\n");
        return sb.ToString();
    }
}
