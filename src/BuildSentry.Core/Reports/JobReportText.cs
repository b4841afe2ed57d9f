using System.Globalization;
using System.Text;
using BuildSentry.Core.Alerts;

namespace BuildSentry.Core.Reports;

/// <summary>The human summary (Markdown). Every value from the job is escaped: it is attacker text.</summary>
public static class JobReportText
{
    public static string Render(JobReport r)
    {
        static string E(string? s) => AlertText.Clean(s).Replace("|", "\\|", StringComparison.Ordinal);
        static string T(DateTimeOffset? t) => t?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) ?? "-";

        var sb = new StringBuilder();
        var verdict = JobVerdict.Of(r);
        sb.AppendLine(CultureInfo.InvariantCulture, $"# Job {E(r.JobId)}: {verdict}").AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- CI system: {E(r.CiSystem)}");
        foreach (var (key, value) in r.Metadata)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- {E(key)}: {E(value)}");
        }

        sb.AppendLine(CultureInfo.InvariantCulture, $"- profile: {E(r.Profile ?? "(none)")} ({E(r.ProfileReason)}), mode {E(r.Mode)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- started {T(r.Started)}, ended {T(r.Ended)} ({E(r.EndReason ?? "still running")})");
        if (r.Kill is { } kill)
        {
            var times = kill.Count > 1 ? $" ({kill.Count} times; the last)" : "";
            var spared = kill.RootSpared ? "; the runner's own process was spared" : "";
            sb.AppendLine(CultureInfo.InvariantCulture, $"- killed{times} at {T(kill.At)} by {E(kill.By)} ({E(kill.Method)}{spared})");
        }

        sb.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"## Violations ({r.ViolationCount})").AppendLine();
        foreach (var v in r.Violations)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- {T(v.Time)} [{E(v.AlertId)}] {E(v.Kind)}, {E(v.Action)}: {E(v.Summary)}");
            if (v.Fix is not null)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"  - fix: {E(v.Fix)}");
            }
        }

        Footnote(sb, r.Bounds?.ViolationsNotListed ?? 0, "violations");
        if (r.Alerting is { } a && r.ViolationCount > 0)
        {
            sb.AppendLine().AppendLine(CultureInfo.InvariantCulture,
                $"Alerted one by one: {a.Alerted}; repeats of an alerted finding: {a.Repeats}; aggregated into {a.SummaryAlerts} summary alert(s): {a.Aggregated} (at most {a.AlertsPerJobPerMinute} alerts per minute).");
        }

        sb.AppendLine().AppendLine("## Destinations").AppendLine();
        sb.AppendLine("| destination | names | verdict | rule or reason | attempts | first process |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var d in r.Destinations)
        {
            var names = string.Join(", ", d.Names.Concat(d.ServerNames).Distinct().Select(E));
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {E(d.Address)}:{d.Port}/{E(d.Protocol)} | {names} | {(d.Allowed ? "allowed" : "DENIED")} | {E(d.Allowed ? d.Rule : d.Reason)} | {d.Attempts} | {E(d.FirstProcess)} |");
        }

        Footnote(sb, r.DestinationsNotListed, "destinations");
        if (r.OutsideFlows > 0)
        {
            sb.AppendLine().AppendLine(CultureInfo.InvariantCulture,
                $"{r.OutsideFlows} connection(s) and DNS queries by processes outside the job were judged as the job's (an exclusive host).");
        }

        Footnote(sb, r.Bounds?.DestinationNamesNotListed ?? 0, "names of the listed destinations");
        sb.AppendLine().AppendLine("## DNS names queried").AppendLine();
        foreach (var n in r.DnsNames)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- {E(n.Name)}: {(n.Allowed ? "allowed by " + E(n.Rule) : "DENIED, " + E(n.Reason))} ({n.Queries}x)");
        }

        Footnote(sb, r.Bounds?.DnsQueriesNotListed ?? 0, "DNS queries for names");
        if (r.Containers is { Count: > 0 } containers)
        {
            sb.AppendLine().AppendLine("## Containers").AppendLine();
            foreach (var c in containers)
            {
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"- {E(c.Id.Length > 12 ? c.Id[..12] : c.Id)} '{E(c.Name)}' ({E(c.Image)}): started {T(c.Started)}, exited {T(c.Exited)}, {c.ProcessesJoined} processes joined the job{(c.LeftRunning ? "; LEFT RUNNING after the job" : "")}");
            }
        }

        sb.AppendLine().AppendLine("## Processes").AppendLine();
        foreach (var p in r.Processes)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"- {p.Pid} (parent {p.ParentPid}) {E(p.Exe)}: `{E(string.Join(' ', p.Argv)).Replace("`", "'", StringComparison.Ordinal)}` exit {p.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-"}");
        }

        Footnote(sb, r.ProcessesNotListed, "processes");
        var h = r.Health;
        sb.AppendLine().AppendLine("## Sensor health").AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"- process events lost: {h.ProcessEventsLost}; packets dropped: {h.PacketsDropped}");
        if (h.ProcessEventsLost > 0 || h.PacketsDropped > 0)
        {
            sb.AppendLine("- WARNING: the sensors lost data while this job ran; the report may be incomplete.");
        }

        if (h.ExecsUnread > 0)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"- {h.ExecsUnread} exec(s) exited before their program could be read: listed without program and arguments, and checked against denied processes by process name only where that was still readable.");
        }

        if (r.Bounds is { FindingsNotRemembered: > 0 } b)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"- {b.FindingsNotRemembered} new finding(s) beyond the job's remembered findings: a repeat of one was counted as a new finding.");
        }

        return sb.ToString();
    }

    private static void Footnote(StringBuilder sb, long notListed, string what)
    {
        if (notListed > 0)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"\n({notListed} more {what} not listed: the report is bounded.)");
        }
    }
}
