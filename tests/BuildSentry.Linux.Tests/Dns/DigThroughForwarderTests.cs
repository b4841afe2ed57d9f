using System.Net;
using BuildSentry.Linux.Tests.Support;
using BuildSentry.Testing;
using static BuildSentry.Linux.Tests.Dns.DnsForwardingTests;

namespace BuildSentry.Linux.Tests.Dns;

/// <summary>A real stub resolver (BIND's dig) through the forwarder, over both transports.</summary>
public sealed class DigThroughForwarderTests
{
    [Theory]
    [InlineData("+notcp")]
    [InlineData("+tcp")]
    public async Task dig_gets_the_upstream_answer_through_the_forwarder(string transportFlag)
    {
        BuildSentry.Testing.Requirements.Tool("dig", "dnsutils");
        await using var upstream = new FakeDnsUpstream(IPAddress.Loopback).Add("registry.npmjs.org", IPAddress.Parse("104.16.1.34"), 300);
        var policy = ScriptedPolicy.ForwardAll(upstream.EndPoint);
        await using var forwarder = Start(policy);

        var result = await Command.RunAsync("dig", [
            "@127.0.0.1", "-p", forwarder.UdpEndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            transportFlag, "+tries=1", "+time=3", "+noall", "+answer", "+comments", "registry.npmjs.org", "A"]);

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains("status: NOERROR", result.StandardOutput);
        Assert.Matches(@"registry\.npmjs\.org\.\s+300\s+IN\s+A\s+104\.16\.1\.34", result.StandardOutput);
        Assert.Equal(transportFlag == "+tcp" ? (0, 1) : (1, 0), (upstream.UdpQueries, upstream.TcpQueries));
        Assert.Single(policy.Answered);
    }
}
