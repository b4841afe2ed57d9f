using System.Net;
using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Tests.Profiles;

public sealed class PreventAllowlistTests
{
    private static ResolvedProfile Profile(string egress)
    {
        var loaded = ProfileLoader.Load("p.yaml", $"""
            name: p
            mode: prevent
            egress:
            {egress}
            """);
        Assert.Empty(loaded.Diagnostics);
        return Assert.Single(loaded.Profiles.Profiles);
    }

    [Fact]
    public void The_static_list_is_loopback_and_each_cidr_block_with_every_cidr_rule_that_covers_it()
    {
        var profile = Profile("""
              - { cidr: 10.0.0.0/8, ports: [22], protocol: tcp }
              - { cidr: 10.1.0.0/16, ports: [80, 443] }
              - { cidr: "2001:db8::/32" }
              - { host: registry.test, ports: [443] }
            """);

        var entries = PreventAllowlist.Static(profile).Select(e => e.ToString()).ToList();

        Assert.Equal(
        [
            "127.0.0.0/8 tcp+udp any port", "::1/128 tcp+udp any port",
            "10.0.0.0/8 tcp 22", "10.1.0.0/16 tcp+udp 22,80,443", "2001:db8::/32 tcp+udp any port",
        ], entries);
        Assert.Equal(2, PreventAllowlist.Static(null).Count);
    }

    [Fact]
    public void An_answer_is_allowed_by_the_rules_of_the_names_that_led_to_it_and_the_blocks_holding_it_or_not_at_all()
    {
        var profile = Profile("""
              - { host: registry.test, ports: [443] }
              - { host: "*.cdn.test", ports: [80] }
              - { cidr: 198.18.0.0/24, ports: [8080], protocol: udp }
            """);

        var viaAlias = PreventAllowlist.ForAnswer(profile, ["registry.test", "edge.cdn.test"], IPAddress.Parse("198.18.0.10"));
        Assert.Equal("198.18.0.10/32 tcp+udp 80,443,8080", viaAlias?.ToString());
        Assert.Equal("198.18.1.1/32 tcp+udp 443",
            PreventAllowlist.ForAnswer(profile, ["REGISTRY.test."], IPAddress.Parse("198.18.1.1"))?.ToString());
        Assert.Equal("fd00::10/128 tcp+udp 443", PreventAllowlist.ForAnswer(profile, ["registry.test"], IPAddress.Parse("fd00::10"))?.ToString());
        Assert.Null(PreventAllowlist.ForAnswer(profile, ["evil.test"], IPAddress.Parse("198.18.1.66")));
        Assert.Null(PreventAllowlist.ForAnswer(null, ["registry.test"], IPAddress.Parse("198.18.0.10")));
    }

    [Fact]
    public void Port_ranges_are_joined_and_at_most_eight_are_kept_by_closing_the_smallest_gaps()
    {
        Assert.Equal([new PortRange(80, 90)], PreventAllowlist.Merge([new(85, 90), new(80, 84)]));
        var many = Enumerable.Range(0, 10).Select(i => new PortRange(1000 + i * 10 + (i == 4 ? 5 : 0), 1000 + i * 10 + (i == 4 ? 5 : 0))).ToList();

        var merged = PreventAllowlist.Merge(many);

        Assert.Equal(PreventAllowlist.MaxRanges, merged.Count);
        Assert.All(many, r => Assert.Contains(merged, m => m.Contains(r.Low)));
    }
}
