using System.Globalization;

namespace BuildSentry.Core.Alerts;

/// <summary>An alert as ordered (name, cleaned value) pairs: the one field list every key=value format uses.</summary>
public static class AlertFields
{
    public static IEnumerable<(string Name, string Value)> Of(Alert alert)
    {
        yield return ("id", AlertText.Clean(alert.Id));
        yield return ("kind", AlertText.Clean(alert.Kind));
        yield return ("severity", alert.Severity.ToString().ToLowerInvariant());
        yield return ("action", alert.Action.ToString().ToLowerInvariant());
        if (alert.Job is { } job)
        {
            yield return ("ci", AlertText.Clean(job.CiSystem));
            yield return ("job", AlertText.Clean(job.JobId));
            foreach (var field in Optional(("repository", job.Repository), ("workflow", job.Workflow), ("jobName", job.JobName),
                         ("runId", job.RunId), ("runAttempt", job.RunAttempt), ("runner", job.Runner)))
            {
                yield return field;
            }
        }

        if (alert.Process is { } p)
        {
            yield return ("pid", p.Pid.ToString(CultureInfo.InvariantCulture));
            yield return ("exe", AlertText.Clean(p.Exe));
            yield return ("argv", AlertText.Argv(p.Argv));
            yield return ("cwd", AlertText.Clean(p.Cwd));
            yield return ("uid", p.Uid.ToString(CultureInfo.InvariantCulture));
            yield return ("parents", AlertText.Ancestors(p.Ancestors));
        }

        if (alert.Destination is { } d)
        {
            yield return ("dst", AlertText.Clean(d.Address));
            yield return ("dport", d.Port.ToString(CultureInfo.InvariantCulture));
            yield return ("proto", AlertText.Clean(d.Protocol));
            yield return ("names", AlertText.Names(d.Names));
            foreach (var field in Optional(("serverName", d.ServerName)))
            {
                yield return field;
            }
        }

        if (alert.Aggregate is { } a)
        {
            yield return ("count", a.Violations.ToString(CultureInfo.InvariantCulture));
            yield return ("since", a.Since.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            yield return ("byKind", AlertText.Clean(string.Join(',', a.ByKind.Select(k => $"{k.Kind}={k.Count}"))));
            yield return ("aggregatedNames", AlertText.NameList(a.Names, a.NamesNotListed));
        }

        foreach (var field in Optional(("profile", alert.Profile), ("rule", alert.Rule), ("reason", alert.Reason)))
        {
            yield return field;
        }
    }

    private static IEnumerable<(string, string)> Optional(params (string Name, string? Value)[] fields) =>
        fields.Where(f => !string.IsNullOrEmpty(f.Value)).Select(f => (f.Name, AlertText.Clean(f.Value)));
}
