using System.Text.Json;
using System.Text.Json.Serialization;

namespace BuildSentry.Core.Alerts;

/// <summary>One JSON object per line, with the same cleaned, capped values as the other formats.</summary>
public sealed class JsonAlertFormatter(string hostName) : IAlertFormatter
{
    public string Format(Alert alert)
    {
        var record = new Dictionary<string, object>
        {
            ["time"] = alert.Time.UtcDateTime.ToString("O"),
            ["host"] = AlertText.Clean(hostName),
            ["title"] = AlertText.Clean(alert.Title),
        };
        foreach (var (name, value) in AlertFields.Of(alert))
        {
            record[name] = value;
        }

        if (alert.Process is { } p)
        {
            record["argv"] = p.Argv.Take(64).Select(a => AlertText.Clean(a)).ToArray();
        }

        if (alert.Destination is { } d)
        {
            record["names"] = d.Names.Take(AlertText.MaxNames).Select(n => AlertText.Clean(n)).ToArray();
        }

        if (alert.Aggregate is { } a)
        {
            record["count"] = a.Violations;
            record["byKind"] = a.ByKind.ToDictionary(k => AlertText.Clean(k.Kind), k => k.Count);
            record["aggregatedNames"] = a.Names.Select(n => AlertText.Clean(n)).ToArray();
            record["namesNotListed"] = a.NamesNotListed;
        }

        return JsonSerializer.Serialize(record, AlertJsonContext.Default.DictionaryStringObject);
    }
}

[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(Dictionary<string, long>))]
internal sealed partial class AlertJsonContext : JsonSerializerContext;
