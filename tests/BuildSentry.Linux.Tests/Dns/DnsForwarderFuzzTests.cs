using System.Net;
using BuildSentry.Linux.Dns;
using BuildSentry.Linux.Tests.Decoding;
using BuildSentry.Linux.Tests.Support;
using static BuildSentry.Linux.Tests.Dns.DnsForwardingTests;

namespace BuildSentry.Linux.Tests.Dns;

/// <summary>Hostile bytes over real sockets: the forwarder logs no failure, counts what it could not read, and still answers.</summary>
public sealed class DnsForwarderFuzzTests
{
    [Fact]
    public async Task Three_thousand_mutated_and_random_datagrams_leave_the_forwarder_answering()
    {
        await using var upstream = NewUpstream();
        var logger = new ErrorCountingLogger();
        await using var forwarder = DnsForwarder.Start(new DnsForwarderOptions(), ScriptedPolicy.ForwardAll(upstream.EndPoint), logger);
        await using (var client = DnsTestClient.Udp(forwarder.UdpEndPoint))
        {
            var mutator = new Mutator(2001);
            for (var i = 0; i < 3000; i++)
            {
                await client.SendAsync(FuzzSeeds.MutatedOrNoise(mutator, FuzzSeeds.DnsSeeds));
                if (i % 100 == 99)
                {
                    // Paced so the listener's receive buffer, not the forwarder, is never what drops them.
                    await Task.Delay(5);
                }
            }
        }

        await AssertStillAnsweringAsync(forwarder, upstream);
        Assert.Empty(logger.Errors);
        Assert.InRange(forwarder.Counters.Malformed, 300, 3000);
        Assert.True(forwarder.Counters.Forwarded > 100, $"{forwarder.Counters.Forwarded} forwarded");
    }

    [Fact]
    public async Task Three_thousand_mutated_frames_and_torn_streams_over_TCP_leave_the_forwarder_answering()
    {
        await using var upstream = NewUpstream();
        var logger = new ErrorCountingLogger();
        await using var forwarder = DnsForwarder.Start(new DnsForwarderOptions(), ScriptedPolicy.ForwardAll(upstream.EndPoint), logger);
        var mutator = new Mutator(2002);
        for (var connection = 0; connection < 300; connection++)
        {
            await using var client = await DnsTestClient.TcpAsync(forwarder.TcpEndPoint);
            for (var i = 0; i < 10; i++)
            {
                await client.SendAsync(FuzzSeeds.MutatedOrNoise(mutator, FuzzSeeds.DnsSeeds));
            }

            // A third of the connections end inside a frame, or with a stream that was never framed at all.
            if (connection % 3 == 0)
            {
                await client.SendRawAsync(mutator.RandomBytes(40));
            }
        }

        await AssertStillAnsweringAsync(forwarder, upstream);
        Assert.Empty(logger.Errors);
        Assert.True(forwarder.Counters.Malformed > 300, $"{forwarder.Counters.Malformed} malformed");
    }

    private static FakeDnsUpstream NewUpstream() => new FakeDnsUpstream(IPAddress.Loopback)
        .Add("www.example.com", IPAddress.Parse("192.0.2.80"), 300)
        .Add("after.example", IPAddress.Parse("192.0.2.81"), 300);

    private static async Task AssertStillAnsweringAsync(DnsForwarder forwarder, FakeDnsUpstream upstream)
    {
        foreach (var transport in new[] { DnsTransport.Udp, DnsTransport.Tcp })
        {
            var reply = Parse(await DnsTestClient.ExchangeAsync(transport, EndPointOf(forwarder, transport), DnsSamples.Query("after.example", 1, 0xAF7E)));
            Assert.Equal(IPAddress.Parse("192.0.2.81"), Assert.Single(reply.Answers).Address);
        }

        Assert.True(upstream.UdpQueries + upstream.TcpQueries > 0);
    }
}
