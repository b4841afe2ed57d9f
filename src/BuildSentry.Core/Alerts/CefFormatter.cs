using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BuildSentry.Core.Alerts;

/// <summary>
/// ArcSight CEF: <c>CEF:0|BuildSentry|BuildSentry|version|signature|name|severity|extensions</c>.
/// The header escapes <c>|</c> and <c>\</c>; extension values escape <c>\</c> and <c>=</c>. Standard keys
/// where CEF has one, <c>csN</c> with labels for job, profile and rule, <c>bs*</c> keys for the rest.
/// </summary>
public sealed class CefFormatter(string hostName, string version) : IAlertFormatter
{
    public string Format(Alert alert)
    {
        var sb = new StringBuilder(1024);
        sb.Append("CEF:0|BuildSentry|BuildSentry|").Append(Header(version)).Append('|')
            .Append(Header(alert.Kind)).Append('|').Append(Header(AlertText.Clean(alert.Title))).Append('|')
            .Append(Severity(alert.Severity)).Append('|');
        var first = true;
        foreach (var (key, value) in Extensions(alert))
        {
            if (value.Length == 0)
            {
                continue;
            }

            sb.Append(first ? "" : " ").Append(key).Append('=');
            foreach (var c in value)
            {
                if (c is '\\' or '=')
                {
                    sb.Append('\\');
                }

                sb.Append(c);
            }

            first = false;
        }

        return sb.ToString();
    }

    public static int Severity(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical => 10,
        AlertSeverity.High => 8,
        AlertSeverity.Warning => 5,
        _ => 3,
    };

    private IEnumerable<(string, string)> Extensions(Alert alert)
    {
        var fields = AlertFields.Of(alert).ToDictionary(f => f.Name, f => f.Value);
        string Get(string name) => fields.TryGetValue(name, out var v) ? v : "";

        yield return ("rt", alert.Time.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return ("dvchost", AlertText.Clean(hostName));
        yield return ("externalId", Get("id"));
        yield return ("cat", Get("kind"));
        yield return ("act", Get("action"));
        yield return ("cs1Label", "job");
        yield return ("cs1", Get("job"));
        yield return ("cs2Label", "repository");
        yield return ("cs2", Get("repository"));
        yield return ("cs3Label", "profile");
        yield return ("cs3", Get("profile"));
        yield return ("cs4Label", "rule");
        yield return ("cs4", Get("rule"));
        yield return ("cs5Label", "argv");
        yield return ("cs5", Get("argv"));
        yield return ("cs6Label", "parents");
        yield return ("cs6", Get("parents"));
        yield return ("spid", Get("pid"));
        yield return ("sproc", Get("exe"));
        yield return ("suid", Get("uid"));
        if (IPAddress.TryParse(Get("dst"), out var dst) && dst.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // CEF's dst is IPv4 only; c6a3 is its IPv6 destination field.
            yield return ("c6a3Label", "destination");
            yield return ("c6a3", Get("dst"));
        }
        else
        {
            yield return ("dst", Get("dst"));
        }

        yield return ("dpt", Get("dport"));
        yield return ("proto", Get("proto"));
        yield return ("dhost", Get("serverName").Length > 0 ? Get("serverName") : Get("names").Split(',')[0]);
        yield return ("msg", Get("reason"));
        // CEF's own count field: how many violations a summary stands for.
        yield return ("cnt", Get("count"));
        foreach (var name in new[] { "ci", "workflow", "jobName", "runId", "runAttempt", "runner", "cwd", "names", "serverName", "since", "byKind", "aggregatedNames" })
        {
            yield return ("bs" + char.ToUpperInvariant(name[0]) + name[1..], Get(name));
        }
    }

    private static string Header(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c is '|' or '\\')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        return sb.ToString();
    }
}
