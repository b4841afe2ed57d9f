namespace BuildSentry.Core.Events;

/// <summary>
/// Something a container runtime (dockerd) did, with the processes that held a client end of its API socket as it
/// happened: the job among them is the one that asked. <see cref="Process"/> is the container's init at
/// <see cref="ContainerAction.Started"/> and the process an exec started at <see cref="ContainerAction.ExecStarted"/>.
/// </summary>
public sealed record ContainerActivity(DateTimeOffset Time, ContainerAction Action, string ContainerId, string Name, string Image,
    IReadOnlyList<ProcessKey> Clients) : SensorEvent(Time)
{
    public ProcessKey? Process { get; init; }
}
