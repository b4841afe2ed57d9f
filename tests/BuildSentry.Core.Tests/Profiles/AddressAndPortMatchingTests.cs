using System.Net;
using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Tests.Profiles;

public sealed class AddressAndPortMatchingTests
{
    private static readonly ResolvedProfile Profile = TestProfiles.Single("""
        name: nets
        egress:
          - cidr: 10.0.0.0/8
          - { cidr: 192.0.2.7, ports: [53], protocol: udp }
          - { cidr: "2001:db8::/32", ports: [443] }
          - { cidr: "::ffff:198.51.100.0/120" }
          - { host: github.com, ports: [443, "8000-8100"], protocol: tcp }
        """);

    [Theory]
    [InlineData("9.255.255.255", false)]
    [InlineData("10.0.0.0", true)]
    [InlineData("10.255.255.255", true)]
    [InlineData("11.0.0.0", false)]
    [InlineData("::ffff:10.1.2.3", true)]
    [InlineData("::ffff:11.1.2.3", false)]
    [InlineData("::10.1.2.3", false)]
    [InlineData("2001:db8::1", true)]
    [InlineData("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true)]
    [InlineData("2001:db9::", false)]
    [InlineData("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", false)]
    [InlineData("198.51.100.255", true)]
    [InlineData("198.51.101.0", false)]
    public void Addresses_match_CIDRs_and_IPv4_mapped_IPv6_matches_IPv4(string address, bool allowed)
    {
        var verdict = Profile.EvaluateConnection([], IPAddress.Parse(address), 443, TransportProtocol.Tcp);

        Assert.Equal(allowed, verdict.Allowed);
    }

    [Theory]
    [InlineData(443, TransportProtocol.Tcp, true)]
    [InlineData(442, TransportProtocol.Tcp, false)]
    [InlineData(7999, TransportProtocol.Tcp, false)]
    [InlineData(8000, TransportProtocol.Tcp, true)]
    [InlineData(8100, TransportProtocol.Tcp, true)]
    [InlineData(8101, TransportProtocol.Tcp, false)]
    [InlineData(443, TransportProtocol.Udp, false)]
    public void Ports_and_protocol_of_a_host_rule_are_enforced(int port, TransportProtocol protocol, bool allowed)
    {
        Assert.Equal(allowed, Profile.EvaluateConnection(["github.com"], null, port, protocol).Allowed);
    }

    [Fact]
    public void A_single_address_CIDR_with_a_port_allows_only_that_port_and_protocol()
    {
        var address = IPAddress.Parse("192.0.2.7");

        Assert.True(Profile.EvaluateConnection([], address, 53, TransportProtocol.Udp).Allowed);
        Assert.False(Profile.EvaluateConnection([], address, 53, TransportProtocol.Tcp).Allowed);
        Assert.False(Profile.EvaluateConnection([], IPAddress.Parse("192.0.2.8"), 53, TransportProtocol.Udp).Allowed);
    }

    [Fact]
    public void A_wrong_port_is_denied_with_the_ports_the_rule_allows()
    {
        var verdict = Profile.EvaluateConnection(["github.com"], null, 22, TransportProtocol.Tcp);

        Assert.False(verdict.Allowed);
        Assert.Equal(7, verdict.Rule!.Line);
        Assert.Equal(
            "github.com is allowed by profile 'nets' only on ports 443, 8000-8100/tcp, not github.com:22/tcp "
            + "(rule 'github.com ports 443, 8000-8100/tcp' of profile 'nets' (test.yaml:7:5))",
            verdict.Reason);
    }

    [Fact]
    public void A_name_or_an_address_is_enough_and_both_are_named_in_a_denial()
    {
        var allowedByAddress = Profile.EvaluateConnection(["evil.test"], IPAddress.Parse("10.9.9.9"), 443, TransportProtocol.Tcp);
        var denied = Profile.EvaluateConnection(["evil.test"], IPAddress.Parse("2001:db9::1"), 443, TransportProtocol.Tcp);

        Assert.True(allowedByAddress.Allowed);
        Assert.Equal("10.0.0.0/8", allowedByAddress.Rule!.Text);
        Assert.Equal("no egress rule of profile 'nets' matches evil.test ([2001:db9::1]):443/tcp", denied.Reason);
    }

    [Fact]
    public void A_host_rule_without_ports_allows_every_port_and_both_protocols()
    {
        var profile = TestProfiles.Single("name: any\negress: [example.com]");

        Assert.True(profile.EvaluateConnection(["example.com"], null, 1, TransportProtocol.Udp).Allowed);
        Assert.True(profile.EvaluateConnection(["example.com"], null, 65535, TransportProtocol.Tcp).Allowed);
    }

    [Fact]
    public void A_thousand_rule_profile_matches_through_its_index()
    {
        var rules = string.Join('\n', Enumerable.Range(0, 1000).Select(i => i % 2 == 0 ? $"  - host{i}.example.com" : $"  - \"*.zone{i}.example.net\""));
        var profile = TestProfiles.Single($"name: big\negress:\n{rules}");

        Assert.Equal(1000, profile.EgressRules.Count);
        Assert.True(profile.EvaluateHostName("host998.example.com").Allowed);
        Assert.True(profile.EvaluateHostName("a.b.zone999.example.net").Allowed);
        Assert.False(profile.EvaluateHostName("zone999.example.net").Allowed);
        Assert.False(profile.EvaluateHostName("host999.example.com").Allowed);
    }
}
