using BuildSentry.Core.Text;

namespace BuildSentry.Core.Alerts;

/// <summary>Field caps and escaping shared by every alert format. Caps keep one hostile argv from
/// filling a syslog receiver's line limit and pushing the fields after it out of the record.</summary>
public static class AlertText
{
    public const int MaxField = 512;
    public const int MaxArgv = 2048;
    public const int MaxNames = 8;
    public const int MaxAncestors = 16;

    public static string Clean(string? text, int max = MaxField) =>
        string.IsNullOrEmpty(text) ? "" : SafeText.Truncate(SafeText.Escape(text), max);

    public static string Argv(IReadOnlyList<string> argv) =>
        SafeText.Truncate(string.Join(' ', argv.Select(a => SafeText.Escape(a))), MaxArgv);

    public static string Names(IReadOnlyList<string> names) =>
        Clean(string.Join(',', names.Take(MaxNames)) + (names.Count > MaxNames ? $",+{names.Count - MaxNames} more" : ""));

    /// <summary>A summary's names, capped like an argv: each name is the job's own text.</summary>
    public static string NameList(IReadOnlyList<string> names, long notListed) =>
        SafeText.Truncate(string.Join(',', names.Select(n => SafeText.Escape(n))) + (notListed > 0 ? $",+{notListed} more" : ""), MaxArgv);

    public static string Ancestors(IReadOnlyList<AlertAncestor> chain) =>
        Clean(string.Join(" < ", chain.Take(MaxAncestors).Select(a => $"{a.Pid}:{a.Exe}")), MaxArgv);

    /// <summary>One human line: what happened, to whom, where.</summary>
    public static string Summary(Alert alert)
    {
        var parts = new List<string>(4) { Clean(alert.Title) };
        if (alert.Job is { } job)
        {
            parts.Add($"job {Clean(job.JobId)}");
        }

        if (alert.Process is { } process)
        {
            parts.Add($"pid {process.Pid} {Clean(process.Exe)}");
        }

        if (alert.Destination is { } d)
        {
            var name = d.ServerName ?? (d.Names.Count > 0 ? d.Names[0] : null);
            parts.Add($"to {(name is null ? "" : Clean(name) + " ")}{Clean(d.Address)}:{d.Port}/{Clean(d.Protocol)}");
        }

        var text = string.Join(": ", parts.Take(1)) + (parts.Count > 1 ? ": " + string.Join(", ", parts.Skip(1)) : "");
        return alert.Reason is null ? text : $"{text} ({Clean(alert.Reason)})";
    }
}
