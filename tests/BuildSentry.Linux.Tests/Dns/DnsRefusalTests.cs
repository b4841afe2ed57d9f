using System.Net;
using BuildSentry.Linux.Decoding;
using BuildSentry.Linux.Dns;
using BuildSentry.Linux.Tests.Decoding;
using BuildSentry.Linux.Tests.Support;
using static BuildSentry.Linux.Tests.Dns.DnsForwardingTests;

namespace BuildSentry.Linux.Tests.Dns;

/// <summary>What the forwarder answers by itself: refusals, and messages that are not queries it can forward.</summary>
public sealed class DnsRefusalTests
{
    [Theory]
    [InlineData(DnsTransport.Udp, DnsResponseCode.Refused)]
    [InlineData(DnsTransport.Udp, DnsResponseCode.NameError)]
    [InlineData(DnsTransport.Tcp, DnsResponseCode.Refused)]
    [InlineData(DnsTransport.Tcp, DnsResponseCode.NameError)]
    public async Task A_refused_query_gets_the_policys_code_with_its_id_and_question_and_nothing_goes_upstream(
        DnsTransport transport, DnsResponseCode code)
    {
        await using var upstream = new FakeDnsUpstream(IPAddress.Loopback).Add("exfil.example", IPAddress.Parse("203.0.113.66"), 60);
        var policy = new ScriptedPolicy(_ => DnsDecision.Refuse(code, "not in the job's profile"));
        await using var forwarder = Start(policy);
        var query = DnsSamples.Query("c2VjcmV0.exfil.example", 16, 0x7777);

        var reply = await DnsTestClient.ExchangeAsync(transport, EndPointOf(forwarder, transport), query);

        var message = Parse(reply);
        Assert.Equal((0x7777, (byte)code, 0), (message.Id, message.ResponseCode, message.Answers.Count));
        Assert.Equal(new DnsQuestion("c2vjcmv0.exfil.example", DnsWireType.Txt), Assert.Single(message.Questions));
        Assert.Equal(query[12..], reply[12..]);
        Assert.Equal((0, 0), (upstream.UdpQueries, upstream.TcpQueries));
        Assert.Empty(policy.Answered);
        Assert.Equal((1, 0), (forwarder.Counters.Refused, forwarder.Counters.Forwarded));
    }

    [Theory]
    [InlineData(DnsTransport.Udp)]
    [InlineData(DnsTransport.Tcp)]
    public async Task A_no_data_decision_answers_NOERROR_with_no_record_sends_nothing_upstream_and_is_no_refusal(DnsTransport transport)
    {
        await using var upstream = new FakeDnsUpstream(IPAddress.Loopback).Add("registry.example", IPAddress.Parse("2001:db8::10"), 60);
        var policy = new ScriptedPolicy(_ => DnsDecision.NoData("IPv6 is off in the asker's network namespace"));
        await using var forwarder = Start(policy);

        var reply = await DnsTestClient.ExchangeAsync(transport, EndPointOf(forwarder, transport), DnsSamples.Query("registry.example", 28, 0x6666));

        var message = Parse(reply);
        Assert.Equal((0x6666, (byte)DnsResponseCode.NoError, 0), (message.Id, message.ResponseCode, message.Answers.Count));
        Assert.True(message.IsResponse);
        Assert.Equal((0, 0), (upstream.UdpQueries, upstream.TcpQueries));
        Assert.Equal((0, 0), (forwarder.Counters.Refused, forwarder.Counters.Forwarded));
    }

    [Fact]
    public async Task A_message_with_a_header_but_no_readable_question_gets_FORMERR_and_the_policy_never_sees_it()
    {
        var policy = new ScriptedPolicy(_ => throw new InvalidOperationException("a malformed query reached the policy"));
        await using var forwarder = Start(policy);
        var brokenQuestion = DnsWire.Header(0x3131, 0x0100, 1, 0).Bytes(63, (byte)'a').Build();
        var twoQuestions = DnsWire.Header(0x3232, 0x0100, 2, 0).Name("allowed.example").Question(1).Name("other.example").Question(1).Build();

        foreach (var query in new[] { brokenQuestion, twoQuestions })
        {
            var message = Parse(await DnsTestClient.ExchangeAsync(DnsTransport.Udp, forwarder.UdpEndPoint, query));
            Assert.Equal((query[0] << 8 | query[1], (byte)DnsResponseCode.FormatError), (message.Id, message.ResponseCode));
            Assert.Empty(message.Questions);
        }

        Assert.Empty(policy.Decided);
        Assert.Equal(2, forwarder.Counters.Malformed);
    }

    [Fact]
    public async Task A_short_message_or_a_response_is_dropped_without_a_reply()
    {
        await using var forwarder = Start(new ScriptedPolicy(_ => throw new InvalidOperationException("never asked")));
        await using var client = DnsTestClient.Udp(forwarder.UdpEndPoint);

        await client.SendAsync([0x12, 0x34, 0x01]);
        await client.SendAsync(DnsSamples.CnameChainResponse());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ReceiveAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Equal((2, 2), (forwarder.Counters.Queries, forwarder.Counters.Malformed));
    }

    [Fact]
    public async Task An_opcode_other_than_QUERY_gets_NOTIMP_and_nothing_goes_upstream()
    {
        await using var upstream = new FakeDnsUpstream(IPAddress.Loopback);
        await using var forwarder = Start(ScriptedPolicy.ForwardAll(upstream.EndPoint));
        var update = DnsWire.Header(9, 5 << 11, 1, 0).Name("zone.example").Question(6).Build();

        var message = Parse(await DnsTestClient.ExchangeAsync(DnsTransport.Udp, forwarder.UdpEndPoint, update));

        Assert.Equal((byte)DnsResponseCode.NotImplemented, message.ResponseCode);
        Assert.Equal((0, 0), (upstream.UdpQueries, upstream.TcpQueries));
    }
}
