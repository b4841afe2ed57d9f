using System.Globalization;
using System.Net;
using System.Text;
using BuildSentry.Core.Alerts;

namespace BuildSentry.Core.Reports.Runners;

/// <summary>
/// The body of a <c>buildkite-agent annotate</c> for a job with violations (Markdown, which Buildkite also reads
/// HTML in): empty for a clean job. The job's text is HTML-encoded and its Markdown specials escaped, so it
/// renders as the text it is, never as a link, an image or markup.
/// </summary>
public static class BuildkiteAnnotation
{
    public static string Render(JobReport report)
    {
        if (JobVerdict.Of(report) == JobVerdict.Clean)
        {
            return "";
        }

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture,
            $"**BuildSentry**: job {Text(report.JobId)} **{JobVerdict.Of(report)}**, profile {Text(report.Profile ?? "(none)")}, mode {Text(report.Mode)}\n\n");
        foreach (var v in report.Violations)
        {
            sb.Append(CultureInfo.InvariantCulture, $"- {Text(v.Kind)} ({Text(v.Action)}): {Text(v.Summary)}\n");
            if (v.Fix is { Length: > 0 } fix)
            {
                sb.Append(CultureInfo.InvariantCulture, $"  - Fix: {Text(fix)}\n");
            }
        }

        var notListed = report.ViolationCount - report.Violations.Count;
        if (notListed > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"- {notListed} more violation(s) not listed: the report is bounded.\n");
        }

        return sb.ToString();
    }

    private static string Text(string text)
    {
        var html = WebUtility.HtmlEncode(AlertText.Clean(text));
        var sb = new StringBuilder(html.Length + 8);
        foreach (var c in html)
        {
            if (c is '\\' or '`' or '*' or '_' or '[' or ']' or '(' or ')' or '!' or '|' or '~')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        return sb.ToString();
    }
}
