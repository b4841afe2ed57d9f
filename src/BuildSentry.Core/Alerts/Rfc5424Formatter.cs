using System.Globalization;
using System.Text;

namespace BuildSentry.Core.Alerts;

/// <summary>
/// RFC 5424 syslog: header, one SD element (<c>buildsentry@32473</c> unless configured) carrying every
/// field, and a human MSG. SD values escape exactly <c>"</c>, <c>\</c> and <c>]</c> (RFC 5424 §6.3.3).
/// With a <paramref name="body"/> formatter (CEF, JSON), the record has no structured data and the
/// body's rendering is the MSG, so every format travels in the same syslog framing.
/// </summary>
public sealed class Rfc5424Formatter(
    string hostName, int processId, string sdId = Rfc5424Formatter.DefaultSdId, int facility = 4, IAlertFormatter? body = null)
    : IAlertFormatter
{
    public const string DefaultSdId = "buildsentry@32473";
    public const string AppName = "buildsentry";

    private readonly string _hostName = HeaderField(hostName, 255);

    public string Format(Alert alert)
    {
        var sb = new StringBuilder(1024);
        sb.Append('<').Append(facility * 8 + SyslogSeverity(alert.Severity)).Append(">1 ")
            .Append(alert.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)).Append(' ')
            .Append(_hostName).Append(' ').Append(AppName).Append(' ')
            .Append(processId.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(HeaderField(alert.Kind, 32)).Append(' ');
        if (body is not null)
        {
            return sb.Append("- \uFEFF").Append(body.Format(alert)).ToString();
        }

        sb.Append('[').Append(sdId);
        foreach (var (name, value) in AlertFields.Of(alert))
        {
            sb.Append(' ').Append(name).Append("=\"");
            AppendParamValue(sb, value);
            sb.Append('"');
        }

        sb.Append("] \uFEFF").Append(AlertText.Summary(alert));
        return sb.ToString();
    }

    /// <summary>Syslog severities: 2 crit, 3 err, 4 warning, 6 informational.</summary>
    public static int SyslogSeverity(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical => 2,
        AlertSeverity.High => 3,
        AlertSeverity.Warning => 4,
        _ => 6,
    };

    private static void AppendParamValue(StringBuilder sb, string value)
    {
        foreach (var c in value)
        {
            if (c is '"' or '\\' or ']')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }
    }

    /// <summary>Header fields are PRINTUSASCII without spaces, or the nil value.</summary>
    private static string HeaderField(string value, int max)
    {
        var sb = new StringBuilder(Math.Min(value.Length, max));
        foreach (var c in value)
        {
            if (sb.Length == max)
            {
                break;
            }

            sb.Append(c is > ' ' and < (char)127 ? c : '_');
        }

        return sb.Length == 0 ? "-" : sb.ToString();
    }
}
