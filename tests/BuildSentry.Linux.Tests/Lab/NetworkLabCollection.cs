using BuildSentry.Testing.Lab;
namespace BuildSentry.Linux.Tests.Lab;

/// <summary>
/// Tests that share one running lab. There is one lab per machine, so this collection and
/// <see cref="NetworkLabLifecycleCollection"/> both opt out of parallelism: xunit then runs them one
/// after the other, each with its own fixture lifetime.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NetworkLabCollection : ICollectionFixture<NetworkLabFixture>
{
    public const string Name = "Network lab";
}
