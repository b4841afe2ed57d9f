using System.Net;
using BuildSentry.Linux.Decoding;
using BuildSentry.Linux.Dns;
using BuildSentry.Linux.Tests.Decoding;
using BuildSentry.Linux.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace BuildSentry.Linux.Tests.Dns;

/// <summary>Allowed queries through a real forwarder to a real (fake) upstream, over loopback sockets.</summary>
public sealed class DnsForwardingTests
{
    [Theory]
    [InlineData(DnsTransport.Udp)]
    [InlineData(DnsTransport.Tcp)]
    public async Task An_allowed_query_is_relayed_byte_for_byte_and_the_policy_learns_its_addresses_and_TTLs(DnsTransport transport)
    {
        await using var upstream = new FakeDnsUpstream(IPAddress.Loopback)
            .Add("api.github.com", IPAddress.Parse("140.82.121.5"), 60)
            .Add("api.github.com", IPAddress.Parse("140.82.121.6"), 30);
        var policy = ScriptedPolicy.ForwardAll(upstream.EndPoint);
        await using var forwarder = Start(policy);

        var reply = await DnsTestClient.ExchangeAsync(transport, EndPointOf(forwarder, transport), DnsSamples.Query("API.github.com", 1, 0x4242));

        Assert.Equal(Assert.Single(upstream.Sent), reply);
        Assert.Equal(transport == DnsTransport.Udp ? 1 : 0, upstream.UdpQueries);
        Assert.Equal(transport == DnsTransport.Tcp ? 1 : 0, upstream.TcpQueries);
        var (query, answers) = Assert.Single(policy.Answered);
        Assert.Equal((transport, (ushort)0x4242, "api.github.com", DnsWireType.A), (query.Transport, query.Id, query.Name, query.Type));
        Assert.Equal(IPAddress.Loopback, query.Client.Address);
        Assert.Equal(
            [("140.82.121.5", 60.0), ("140.82.121.6", 30.0)],
            answers.Select(a => (a.Address.ToString(), a.Ttl.TotalSeconds)));
        Assert.Equal((1, 1, 0), (forwarder.Counters.Queries, forwarder.Counters.Forwarded, forwarder.Counters.Refused));
        Assert.Equal(1, forwarder.Counters.AddedLatency.Count);
    }

    [Theory]
    [InlineData(DnsTransport.Udp)]
    [InlineData(DnsTransport.Tcp)]
    public async Task Only_the_header_and_the_decided_question_go_upstream_never_the_records_a_job_adds(DnsTransport transport)
    {
        await using var upstream = new FakeDnsUpstream(IPAddress.Loopback).Add("api.github.com", IPAddress.Parse("140.82.121.5"), 60);
        await using var forwarder = Start(ScriptedPolicy.ForwardAll(upstream.EndPoint));
        var question = DnsSamples.Query("api.github.com", 1, 0x4242);
        // The same query with an OPT record whose option (code 65001, a local one) carries the secret.
        var secret = "AKIASECRETSECRET"u8.ToArray();
        var smuggling = DnsWire.Header(0x4242, 0x0100, 1, 0, 0, 1).Name("api.github.com").Question(1)
            .Bytes(0).U16(41).U16(1232).U32(0).U16(4 + secret.Length).U16(65001).U16(secret.Length).Bytes(secret).Build();

        var reply = await DnsTestClient.ExchangeAsync(transport, EndPointOf(forwarder, transport), smuggling);

        Assert.Equal(question, Assert.Single(upstream.Received));
        Assert.Equal("140.82.121.5", Assert.Single(Parse(reply).Answers).Address?.ToString());
    }

    [Fact]
    public async Task UDP_and_TCP_listen_on_the_same_port()
    {
        await using var forwarder = Start(new ScriptedPolicy(_ => throw new InvalidOperationException("no query is sent")));

        Assert.Equal(forwarder.UdpEndPoint, forwarder.TcpEndPoint);
        Assert.NotEqual(0, forwarder.UdpEndPoint.Port);
    }

    [Fact]
    public async Task Two_queries_on_one_TCP_connection_are_both_answered()
    {
        await using var upstream = new FakeDnsUpstream(IPAddress.Loopback)
            .Add("a.example", IPAddress.Parse("192.0.2.1"), 5)
            .Add("b.example", IPAddress.Parse("2001:db8::2"), 7);
        await using var forwarder = Start(ScriptedPolicy.ForwardAll(upstream.EndPoint));
        await using var client = await DnsTestClient.TcpAsync(forwarder.TcpEndPoint);

        await client.SendAsync(DnsSamples.Query("a.example", 1, 1));
        await client.SendAsync(DnsSamples.Query("b.example", 28, 2));
        var replies = new[] { Parse(await client.ReceiveAsync()), Parse(await client.ReceiveAsync()) };

        Assert.Equal(
            ["1 192.0.2.1", "2 2001:db8::2"],
            replies.OrderBy(r => r.Id).Select(r => $"{r.Id} {Assert.Single(r.Answers).Address}"));
        Assert.Equal(2, upstream.TcpQueries);
    }

    [Fact]
    public async Task The_IPv6_listener_forwards_to_an_IPv6_upstream()
    {
        await using var upstream = new FakeDnsUpstream(IPAddress.IPv6Loopback).Add("v6.example", IPAddress.Parse("2001:db8::6"), 600);
        var policy = ScriptedPolicy.ForwardAll(upstream.EndPoint);
        await using var forwarder = Start(policy, new DnsForwarderOptions { ListenAddress = IPAddress.IPv6Loopback });

        foreach (var transport in new[] { DnsTransport.Udp, DnsTransport.Tcp })
        {
            var reply = Parse(await DnsTestClient.ExchangeAsync(transport, EndPointOf(forwarder, transport), DnsSamples.Query("v6.example", 28)));
            Assert.Equal(IPAddress.Parse("2001:db8::6"), Assert.Single(reply.Answers).Address);
        }

        Assert.All(policy.Answered, call => Assert.Equal(IPAddress.IPv6Loopback, call.Query.Client.Address));
    }

    [Fact]
    public async Task An_upstream_datagram_with_another_id_is_ignored()
    {
        await using var upstream = new FakeDnsUpstream(IPAddress.Loopback) { WrongIdFirst = true }.Add("id.example", IPAddress.Parse("192.0.2.9"), 1);
        await using var forwarder = Start(ScriptedPolicy.ForwardAll(upstream.EndPoint));

        var reply = await DnsTestClient.ExchangeAsync(DnsTransport.Udp, forwarder.UdpEndPoint, DnsSamples.Query("id.example", 1, 0x0101));

        Assert.Equal(0x0101, Parse(reply).Id);
        Assert.Equal(Assert.Single(upstream.Sent), reply);
    }

    [Fact]
    public async Task A_truncated_UDP_answer_is_relayed_as_it_is()
    {
        await using var upstream = new FakeDnsUpstream(IPAddress.Loopback) { Truncate = true };
        var policy = ScriptedPolicy.ForwardAll(upstream.EndPoint);
        await using var forwarder = Start(policy);

        var reply = await DnsTestClient.ExchangeAsync(DnsTransport.Udp, forwarder.UdpEndPoint, DnsSamples.Query("big.example", 1));

        Assert.True(Parse(reply).IsTruncated);
        Assert.Equal(Assert.Single(upstream.Sent), reply);
        Assert.Empty(Assert.Single(policy.Answered).Answers);
    }

    internal static DnsForwarder Start(IDnsForwarderPolicy policy, DnsForwarderOptions? options = null) =>
        DnsForwarder.Start(options ?? new DnsForwarderOptions(), policy, NullLogger<DnsForwarder>.Instance);

    internal static IPEndPoint EndPointOf(DnsForwarder forwarder, DnsTransport transport) =>
        transport == DnsTransport.Udp ? forwarder.UdpEndPoint : forwarder.TcpEndPoint;

    internal static DnsMessage Parse(byte[] reply)
    {
        Assert.True(DnsMessageParser.TryParse(reply, out var message), Convert.ToHexString(reply));
        Assert.True(message.IsResponse);
        return message;
    }
}
