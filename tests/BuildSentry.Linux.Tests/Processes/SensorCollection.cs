namespace BuildSentry.Linux.Tests.Processes;

/// <summary>Sensor tests count every process on the machine: they run one at a time so that one test's
/// fork storm is not another's loss.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SensorCollection
{
    public const string Name = "process sensor";
}
