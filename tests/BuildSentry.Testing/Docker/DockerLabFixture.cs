namespace BuildSentry.Testing.Docker;

/// <summary>One dockerd for a test class (xunit class fixture), stopped after it. Its collection's lab fixture starts first.</summary>
public sealed class DockerLabFixture : Xunit.IAsyncLifetime
{
    private DockerLab? _docker;

    public DockerLab Docker => _docker ?? throw new InvalidOperationException("dockerd has not started.");

    public async Task InitializeAsync() => _docker = await DockerLab.StartAsync();

    public async Task DisposeAsync()
    {
        if (_docker is not null)
        {
            await _docker.DisposeAsync();
        }
    }
}
