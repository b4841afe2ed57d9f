using System.Net;
using BuildSentry.Linux.Dns;
using BuildSentry.Linux.Tests.Decoding;
using BuildSentry.Linux.Tests.Support;
using static BuildSentry.Linux.Tests.Dns.DnsForwardingTests;

namespace BuildSentry.Linux.Tests.Dns;

/// <summary>When the upstream, the load or the policy fails, the client gets SERVFAIL at once or after the timeout, never silence.</summary>
public sealed class DnsFailureTests
{
    private static readonly DnsForwarderOptions ShortTimeout = new() { UpstreamTimeout = TimeSpan.FromMilliseconds(200) };

    [Theory]
    [InlineData(DnsTransport.Udp)]
    [InlineData(DnsTransport.Tcp)]
    public async Task A_silent_upstream_gets_the_client_SERVFAIL_after_the_upstream_timeout(DnsTransport transport)
    {
        await using var upstream = new FakeDnsUpstream(IPAddress.Loopback) { Silent = true };
        var policy = ScriptedPolicy.ForwardAll(upstream.EndPoint);
        await using var forwarder = Start(policy, ShortTimeout);
        var started = DateTime.UtcNow;

        var message = Parse(await DnsTestClient.ExchangeAsync(transport, EndPointOf(forwarder, transport), DnsSamples.Query("slow.example", 1, 5)));

        Assert.Equal((5, (byte)DnsResponseCode.ServerFailure), (message.Id, message.ResponseCode));
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(190), DnsTestClient.ReplyTimeout);
        Assert.Equal(1, forwarder.Counters.UpstreamTimeouts);
        Assert.Empty(policy.Answered);
    }

    [Fact]
    public async Task An_upstream_that_is_not_listening_gets_the_client_SERVFAIL()
    {
        var (udp, tcp) = DnsListenerSockets.Bind(IPAddress.Loopback, 0);
        var closedPort = (IPEndPoint)udp.LocalEndPoint!;
        udp.Dispose();
        tcp.Dispose();
        await using var forwarder = Start(ScriptedPolicy.ForwardAll(closedPort));

        foreach (var transport in new[] { DnsTransport.Udp, DnsTransport.Tcp })
        {
            var message = Parse(await DnsTestClient.ExchangeAsync(transport, EndPointOf(forwarder, transport), DnsSamples.Query("down.example", 1)));
            Assert.Equal((byte)DnsResponseCode.ServerFailure, message.ResponseCode);
        }

        Assert.Equal(2, forwarder.Counters.UpstreamErrors);
    }

    [Fact]
    public async Task Queries_beyond_the_in_flight_limit_get_SERVFAIL_at_once_and_are_counted()
    {
        await using var upstream = new FakeDnsUpstream(IPAddress.Loopback) { Silent = true };
        await using var forwarder = Start(ScriptedPolicy.ForwardAll(upstream.EndPoint), ShortTimeout with { MaxInFlight = 2, UpstreamTimeout = TimeSpan.FromSeconds(3) });
        await using var client = DnsTestClient.Udp(forwarder.UdpEndPoint);

        for (var id = 1; id <= 5; id++)
        {
            await client.SendAsync(DnsSamples.Query("busy.example", 1, (ushort)id));
        }

        // Two wait for the silent upstream; the three beyond the limit are answered well before its timeout.
        var overloaded = new[] { Parse(await client.ReceiveAsync(TimeSpan.FromSeconds(1))), Parse(await client.ReceiveAsync(TimeSpan.FromSeconds(1))), Parse(await client.ReceiveAsync(TimeSpan.FromSeconds(1))) };
        Assert.All(overloaded, m => Assert.Equal((byte)DnsResponseCode.ServerFailure, m.ResponseCode));
        Assert.Equal([3, 4, 5], overloaded.Select(m => (int)m.Id).Order());
        Assert.Equal((3, 2), (forwarder.Counters.Overloaded, forwarder.Counters.Forwarded));
        Assert.Equal(2, upstream.UdpQueries);
    }

    [Fact]
    public async Task A_TCP_client_that_pipelines_many_queries_has_only_a_bounded_number_handled_at_once()
    {
        await using var upstream = new FakeDnsUpstream(IPAddress.Loopback) { Silent = true };
        await using var forwarder = Start(ScriptedPolicy.ForwardAll(upstream.EndPoint), ShortTimeout with { UpstreamTimeout = TimeSpan.FromMilliseconds(400) });
        await using var client = await DnsTestClient.TcpAsync(forwarder.TcpEndPoint);
        const int Sent = DnsTcpConnection.MaxUnanswered * 2;

        for (var id = 0; id < Sent; id++)
        {
            await client.SendAsync(DnsSamples.Query("pipelined.example", 1, (ushort)id));
        }

        await Task.Delay(200);
        Assert.Equal((DnsTcpConnection.MaxUnanswered, DnsTcpConnection.MaxUnanswered), (forwarder.Counters.Queries, upstream.TcpQueries));
        for (var i = 0; i < Sent; i++)
        {
            Assert.Equal((byte)DnsResponseCode.ServerFailure, Parse(await client.ReceiveAsync()).ResponseCode);
        }

        Assert.Equal(Sent, forwarder.Counters.UpstreamTimeouts);
    }

    [Fact]
    public async Task A_policy_that_throws_gets_the_client_SERVFAIL_and_the_forwarder_keeps_serving()
    {
        await using var upstream = new FakeDnsUpstream(IPAddress.Loopback).Add("ok.example", IPAddress.Parse("192.0.2.8"), 1);
        var policy = new ScriptedPolicy(q => q.Name == "ok.example" ? DnsDecision.Forward(upstream.EndPoint) : throw new InvalidOperationException("policy bug"));
        await using var forwarder = Start(policy);

        var failed = Parse(await DnsTestClient.ExchangeAsync(DnsTransport.Udp, forwarder.UdpEndPoint, DnsSamples.Query("bug.example", 1)));
        var served = Parse(await DnsTestClient.ExchangeAsync(DnsTransport.Udp, forwarder.UdpEndPoint, DnsSamples.Query("ok.example", 1)));

        Assert.Equal((byte)DnsResponseCode.ServerFailure, failed.ResponseCode);
        Assert.Single(served.Answers);
    }
}
