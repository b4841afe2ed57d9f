namespace BuildSentry.Linux.Tests.Lab;

/// <summary>Tests that start and stop labs of their own, so they must not overlap the shared lab.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NetworkLabLifecycleCollection
{
    public const string Name = "Network lab lifecycle";
}
