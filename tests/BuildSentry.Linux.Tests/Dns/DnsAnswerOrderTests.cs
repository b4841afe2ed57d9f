using System.Net;
using BuildSentry.Linux.Dns;
using BuildSentry.Linux.Tests.Decoding;
using BuildSentry.Linux.Tests.Support;
using static BuildSentry.Linux.Tests.Dns.DnsForwardingTests;

namespace BuildSentry.Linux.Tests.Dns;

/// <summary>The point of the forwarder: an address reaches the client only after the policy has it.</summary>
public sealed class DnsAnswerOrderTests
{
    private static readonly TimeSpan Held = TimeSpan.FromMilliseconds(300);

    [Theory]
    [InlineData(DnsTransport.Udp)]
    [InlineData(DnsTransport.Tcp)]
    public async Task The_client_gets_no_reply_while_the_policy_is_still_taking_the_addresses(DnsTransport transport)
    {
        await using var upstream = new FakeDnsUpstream(IPAddress.Loopback).Add("held.example", IPAddress.Parse("198.51.100.7"), 42);
        var policy = ScriptedPolicy.ForwardAll(upstream.EndPoint);
        policy.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var forwarder = Start(policy);
        await using var client = transport == DnsTransport.Udp
            ? DnsTestClient.Udp(forwarder.UdpEndPoint)
            : await DnsTestClient.TcpAsync(forwarder.TcpEndPoint);

        await client.SendAsync(DnsSamples.Query("held.example", 1));
        await policy.AnsweredEntered.Task.WaitAsync(DnsTestClient.ReplyTimeout);

        // The upstream has answered and the policy holds the addresses, yet nothing reaches the client.
        Assert.Single(upstream.Sent);
        Assert.Equal(IPAddress.Parse("198.51.100.7"), Assert.Single(Assert.Single(policy.Answered).Answers).Address);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ReceiveAsync(Held));

        policy.Gate.SetResult();
        Assert.Equal(Assert.Single(upstream.Sent), await client.ReceiveAsync());
    }
}
