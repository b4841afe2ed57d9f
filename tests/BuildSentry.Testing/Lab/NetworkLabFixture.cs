namespace BuildSentry.Testing.Lab;

/// <summary>One running lab shared by a test collection (xunit collection fixture), torn down after it.</summary>
public sealed class NetworkLabFixture : Xunit.IAsyncLifetime
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
