namespace BuildSentry.EndToEnd.Packaging;

/// <summary>The tests of the Debian package share one build of it.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DebianPackageCollection : ICollectionFixture<DebianPackage>
{
    public const string Name = "Debian package";
}
