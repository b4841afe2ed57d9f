using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace BuildSentry.Core.Reports;

/// <summary>The report's JSON form: stable camelCase field names, one file per job.</summary>
public static class JobReportJson
{
    public static string Serialize(JobReport report) => JsonSerializer.Serialize(report, ReportJsonContext.Default.JobReport);

    public static JobReport Deserialize(string json) =>
        JsonSerializer.Deserialize(json, ReportJsonContext.Default.JobReport) ?? throw new JsonException("empty report");

    /// <summary>The report as a JSON object, to carry inside another message (the control socket's answer).</summary>
    public static JsonObject ToNode(JobReport report) =>
        JsonSerializer.SerializeToNode(report, ReportJsonContext.Default.JobReport)?.AsObject() ?? throw new JsonException("empty report");

    public static JobReport FromNode(JsonNode node) =>
        node.Deserialize(ReportJsonContext.Default.JobReport) ?? throw new JsonException("empty report");
}

// Strict on reading: a report of another format (a field missing, a null where there must be a value) is refused with
// the field's name rather than read as half a report.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(JobReport))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;
