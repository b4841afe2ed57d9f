using System.Text.Json.Nodes;

namespace BuildSentry.Control;

/// <summary>The answer: ok or not, a human message, and for <c>status</c> a JSON body.</summary>
public sealed record ControlResponse(bool Ok, string Message)
{
    public JsonObject? Body { get; init; }

    public static ControlResponse Refused(string why) => new(false, why);
}
