namespace BuildSentry.Linux.Tests.Attribution;

/// <summary>A test that floods loopback with DNS queries runs alone: capture tests beside it count the packets that
/// pass the kernel filter, and a flood of them is not theirs.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FloodCollection
{
    public const string Name = "loopback flood";
}
