using System.Globalization;
using System.Text;
using BuildSentry.Core.Alerts;

namespace BuildSentry.Core.Reports.Runners;

/// <summary>
/// One <c>::error</c> workflow command per violation, for a GitHub Actions job log. The job's text is cleaned of
/// control characters first and then escaped as the runner unescapes it, so no value can end the command early or
/// start a command of its own on a new line.
/// </summary>
public static class GitHubAnnotations
{
    public static string Render(JobReport report)
    {
        var sb = new StringBuilder();
        foreach (var v in report.Violations)
        {
            var title = $"BuildSentry: {AlertText.Clean(v.Kind)} ({AlertText.Clean(v.Action)})";
            var message = $"job {AlertText.Clean(report.JobId)}: {AlertText.Clean(v.Summary)}";
            if (v.Fix is { Length: > 0 } fix)
            {
                message += "\nFix: " + AlertText.Clean(fix);
            }

            sb.Append("::error title=").Append(Property(title)).Append("::").Append(Data(message)).Append('\n');
        }

        var notListed = report.ViolationCount - report.Violations.Count;
        if (notListed > 0)
        {
            var message = string.Create(CultureInfo.InvariantCulture, $"{notListed} more violation(s) of job {AlertText.Clean(report.JobId)} not listed: the report is bounded.");
            sb.Append("::error title=").Append(Property("BuildSentry")).Append("::").Append(Data(message)).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>A command's message: the runner reads up to the end of the line and unescapes %25, %0D and %0A.</summary>
    public static string Data(string text) => text
        .Replace("%", "%25", StringComparison.Ordinal)
        .Replace("\r", "%0D", StringComparison.Ordinal)
        .Replace("\n", "%0A", StringComparison.Ordinal);

    /// <summary>A command's property value: besides the message's escapes, ':' and ',' would end the value.</summary>
    public static string Property(string text) => Data(text)
        .Replace(":", "%3A", StringComparison.Ordinal)
        .Replace(",", "%2C", StringComparison.Ordinal);
}
