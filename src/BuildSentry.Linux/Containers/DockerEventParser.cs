using System.Text.Json;
using BuildSentry.Core.Events;

namespace BuildSentry.Linux.Containers;

/// <summary>
/// Reads one line of <c>GET /events</c>: <c>{"Type":"container","Action":"start","Actor":{"ID":..,"Attributes":{..}}}</c>.
/// The line comes from a root service, but the names in it (container, image) are chosen by whoever asked: they are
/// length-bounded and cleaned of control characters before they go anywhere.
/// </summary>
internal static class DockerEventParser
{
    private const int MaxId = 128;
    private const int MaxName = 256;

    /// <summary>The event, or null for one membership does not need, and for anything malformed.</summary>
    public static DockerEvent? Parse(ReadOnlySpan<byte> line)
    {
        try
        {
            using var document = JsonDocument.Parse(line.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Text(root, "Type") != "container"
                || Text(root, "Action") is not { } action || !root.TryGetProperty("Actor", out var actor) || actor.ValueKind != JsonValueKind.Object
                || Text(actor, "ID") is not { Length: > 0 and <= MaxId } id || !IsHex(id))
            {
                return null;
            }

            var attributes = actor.TryGetProperty("Attributes", out var a) && a.ValueKind == JsonValueKind.Object ? a : default;
            string? Attribute(string name) => attributes.ValueKind == JsonValueKind.Object ? Text(attributes, name) : null;
            ContainerAction? kind = action switch
            {
                "create" => ContainerAction.Created,
                "start" => ContainerAction.Started,
                "die" => ContainerAction.Exited,
                _ when action.StartsWith("exec_start", StringComparison.Ordinal) => ContainerAction.ExecStarted,
                _ => null,
            };
            var execId = Attribute("execID");
            if (kind is null || (kind == ContainerAction.ExecStarted && (execId is not { Length: > 0 and <= MaxId } || !IsHex(execId))))
            {
                return null;
            }

            return new DockerEvent(kind.Value, id, Clean(Attribute("name")), Clean(Attribute("image")), execId);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string with a lone surrogate escape (\ud800).
            return null;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool IsHex(string id) => id.AsSpan().IndexOfAnyExcept("0123456789abcdef") < 0;

    private static string Clean(string? text) => Core.Alerts.AlertText.Clean(text, MaxName);
}
