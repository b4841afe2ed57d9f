using BuildSentry.Testing.Lab;

namespace BuildSentry.Linux.Tests.Lab;

[Collection(NetworkLabCollection.Name)]
public sealed class NetworkLabDelayTests(NetworkLabFixture shared)
{
    private NetworkLab Lab => shared.Lab;

    [Fact]
    public async Task Setting_a_20_ms_delay_raises_the_connect_time_by_about_20_ms()
    {
        var baseline = await ConnectTimer.MedianAsync(Lab.Registry.IPv4, NetworkLab.HttpPort);
        try
        {
            await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));

            var delayed = await ConnectTimer.MedianAsync(Lab.Registry.IPv4, NetworkLab.HttpPort);
            var delayedV6 = await ConnectTimer.MedianAsync(Lab.Registry.IPv6, NetworkLab.HttpPort);

            Assert.InRange((delayed - baseline).TotalMilliseconds, 15, 60);
            Assert.InRange((delayedV6 - baseline).TotalMilliseconds, 15, 60);
        }
        finally
        {
            await Lab.SetDelayAsync(TimeSpan.Zero);
        }

        var restored = await ConnectTimer.MedianAsync(Lab.Registry.IPv4, NetworkLab.HttpPort);
        Assert.True(restored < TimeSpan.FromMilliseconds(10), $"connect still takes {restored.TotalMilliseconds} ms");
    }
}
