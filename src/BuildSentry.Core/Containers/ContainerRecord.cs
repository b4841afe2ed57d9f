namespace BuildSentry.Core.Containers;

/// <summary>A container a job asked the runtime to create or enter, as far as the runtime's events told.</summary>
public sealed class ContainerRecord(string id, string name, string image, string jobId, DateTimeOffset createdAt)
{
    public string Id { get; } = id;

    public string Name { get; internal set; } = name;

    public string Image { get; internal set; } = image;

    public string JobId { get; } = jobId;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public DateTimeOffset? StartedAt { get; internal set; }

    public DateTimeOffset? ExitedAt { get; internal set; }

    /// <summary>Started and not seen to exit since.</summary>
    public bool Running => StartedAt is not null && ExitedAt is null;

    /// <summary>Processes of the container that joined the job (its runtime shim, init, execs and their children).</summary>
    public int ProcessesJoined { get; internal set; }

    /// <summary>The short form Docker prints.</summary>
    public string ShortId => Id.Length > 12 ? Id[..12] : Id;
}
