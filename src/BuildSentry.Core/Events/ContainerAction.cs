using System.Text.Json.Serialization;

namespace BuildSentry.Core.Events;

[JsonConverter(typeof(JsonStringEnumConverter<ContainerAction>))]
public enum ContainerAction
{
    Created,
    Started,
    ExecStarted,
    Exited,
}
