namespace BuildSentry.Linux.Tests.Enforcement;

/// <summary>Tests that kill process trees, and wait at most the enforcer's half second for them to exit, run alone:
/// beside one another's fork loops and storms on two cores a SIGKILLed process once took longer to be gone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KillCollection
{
    public const string Name = "process kills";
}
