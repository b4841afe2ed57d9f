using BuildSentry.Testing.Lab;

namespace BuildSentry.EndToEnd;

/// <summary>The scenario tests share one lab (one per machine) and run one after the other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LabCollection : ICollectionFixture<LabFixture>
{
    public const string Name = "End-to-end lab";
}

public sealed class LabFixture : IAsyncLifetime
{
    private NetworkLab? _lab;

    public NetworkLab Lab => _lab ?? throw new InvalidOperationException("The lab has not started.");

    public async Task InitializeAsync() => _lab = await NetworkLab.StartAsync();

    public async Task DisposeAsync()
    {
        if (_lab is not null)
        {
            await _lab.DisposeAsync();
        }
    }
}
