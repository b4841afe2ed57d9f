using BuildSentry.Testing.Lab;

namespace BuildSentry.Linux.Tests.Lab;

[Collection(NetworkLabCollection.Name)]
public sealed class NetworkLabDnsTests(NetworkLabFixture shared)
{
    private NetworkLab Lab => shared.Lab;

    [Fact]
    public async Task Dig_in_a_job_resolves_evil_test_to_its_lab_address_and_the_query_is_logged()
    {
        var result = await Lab.RunInLabAsync("dig", "+short", "evil.test", "A");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal("198.18.0.66", result.StandardOutput.Trim());
        Assert.Contains(new DnsQuery("A", "evil.test", "198.18.0.1"), Lab.DnsQueriesLogged());
    }

    [Fact]
    public async Task Evil_test_has_an_IPv6_address_too()
    {
        var result = await Lab.RunInLabAsync("dig", "+short", "evil.test", "AAAA");

        Assert.Equal("fd00:b5e:1ab::66", result.StandardOutput.Trim());
    }

    [Fact]
    public async Task Any_name_under_exfil_test_is_answered_with_evil_test_and_logged_in_full()
    {
        var name = "c2VjcmV0.0001." + NetworkLab.ExfilDomain;

        var result = await Lab.RunInLabAsync("dig", "+short", name, "A");

        Assert.Equal("198.18.0.66", result.StandardOutput.Trim());
        Assert.Contains(Lab.DnsQueriesLogged(), query => query.Name == name);
        Assert.Equal(Lab.Evil.IPv4, Lab.Host(name).IPv4);
    }

    [Fact]
    public async Task Names_outside_the_lab_do_not_exist_because_the_resolver_has_no_upstream()
    {
        var result = await Lab.RunInLabAsync("dig", "registry.example.com", "A");

        Assert.Contains("status: NXDOMAIN", result.StandardOutput);
    }

    [Fact]
    public async Task An_alias_shares_its_primary_hosts_address()
    {
        var result = await Lab.RunInLabAsync("dig", "+short", "cdn.test", "A");

        Assert.Equal(Lab.Registry.IPv4.ToString(), result.StandardOutput.Trim());
        Assert.Equal("registry.test", Lab.Host("cdn.test").PrimaryName);
    }
}
