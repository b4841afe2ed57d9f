using BuildSentry.Core.Events;

namespace BuildSentry.Linux.Containers;

/// <summary>One container event from Docker's event stream, reduced to what membership needs.</summary>
internal sealed record DockerEvent(ContainerAction Action, string ContainerId, string Name, string Image, string? ExecId);
