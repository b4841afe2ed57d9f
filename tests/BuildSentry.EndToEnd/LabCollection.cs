using BuildSentry.Testing.Lab;

namespace BuildSentry.EndToEnd;

/// <summary>The scenario tests share one lab (one per machine) and run one after the other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LabCollection : ICollectionFixture<NetworkLabFixture>
{
    public const string Name = "End-to-end lab";
}
