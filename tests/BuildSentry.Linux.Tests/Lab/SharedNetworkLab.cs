using BuildSentry.Testing.Lab;

namespace BuildSentry.Linux.Tests.Lab;

public sealed class SharedNetworkLab : IAsyncLifetime
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
