using System.Globalization;
using System.Text;

namespace BuildSentry.Metrics;

/// <summary>
/// Writes metric families as OpenMetrics 1.0 text, or as the Prometheus text format 0.0.4 that node_exporter's textfile
/// collector reads. The two differ only in a counter's family name (OpenMetrics names it without the <c>_total</c> its
/// samples carry) and in OpenMetrics' closing <c># EOF</c>.
/// </summary>
internal sealed class Exposition(bool openMetrics)
{
    public const string OpenMetricsContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private readonly StringBuilder _text = new();

    public void Gauge(string name, string help, double? value, params (string Name, string Value)[] labels)
    {
        Family(name, "gauge", help);
        Sample(name, labels, value);
    }

    public void Counter(string name, string help, double? value, params (string Name, string Value)[] labels)
    {
        Family(openMetrics ? name : name + "_total", "counter", help);
        Sample(name + "_total", labels, value);
    }

    /// <summary>A family of one labelled sample per entry (a counter's entries carry <c>_total</c>).</summary>
    public void Family(string name, string type, string help, IEnumerable<(string Label, string LabelValue, double? Value)> samples)
    {
        Family(type == "counter" && !openMetrics ? name + "_total" : name, type, help);
        foreach (var (label, labelValue, value) in samples)
        {
            Sample(type == "counter" ? name + "_total" : name, [(label, labelValue)], value);
        }
    }

    public void Histogram(string name, string help, IReadOnlyList<(double? UpperBound, long Count)> cumulative, double sum, long count)
    {
        Family(name, "histogram", help);
        foreach (var (bound, bucketCount) in cumulative)
        {
            Sample(name + "_bucket", [("le", bound is { } b ? Number(b) : "+Inf")], bucketCount);
        }

        Sample(name + "_sum", [], sum);
        Sample(name + "_count", [], count);
    }

    public override string ToString() => openMetrics ? _text + "# EOF\n" : _text.ToString();

    private void Family(string name, string type, string help)
    {
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        _text.Append("# HELP ").Append(name).Append(' ').Append(Escape(help, quote: false)).Append('\n');
    }

    /// <summary>A sample; none when its value is unknown (a sensor that does not run).</summary>
    private void Sample(string name, (string Name, string Value)[] labels, double? value)
    {
        if (value is not { } v)
        {
            return;
        }

        _text.Append(name);
        if (labels.Length > 0)
        {
            _text.Append('{').AppendJoin(',', labels.Select(l => $"{l.Name}=\"{Escape(l.Value, quote: true)}\"")).Append('}');
        }

        _text.Append(' ').Append(Number(v)).Append('\n');
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Both formats escape backslash and newline in HELP and label values, and '"' in label values.</summary>
    private static string Escape(string text, bool quote)
    {
        var escaped = text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        return quote ? escaped.Replace("\"", "\\\"", StringComparison.Ordinal) : escaped;
    }
}
