using System.Text.Json.Serialization;
using BuildSentry.Core.Events;

namespace BuildSentry.Core.Tracing;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SensorEvent))]
internal sealed partial class TraceJsonContext : JsonSerializerContext;
