using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Tests.Profiles;

public sealed class DnsAndProcessTests
{
    private static readonly ResolvedProfile Profile = TestProfiles.Single("""
        name: build
        egress: [registry.npmjs.org]
        dns:
          - "*.internal.example"
          - telemetry.example.com
        processes:
          deny: [nc, /usr/bin/socat, a-very-long-tool-name]
        """);

    [Theory]
    [InlineData("registry.npmjs.org", true)]
    [InlineData("telemetry.example.com", true)]
    [InlineData("build01.internal.example", true)]
    [InlineData("internal.example", false)]
    [InlineData("exfil.evil.test", false)]
    [InlineData("c2VjcmV0.evil.test", false)]
    public void DNS_queries_are_allowed_for_egress_hosts_and_dns_names_only(string name, bool allowed)
    {
        Assert.Equal(allowed, Profile.EvaluateDnsQuery(name).Allowed);
    }

    [Fact]
    public void A_dns_name_may_be_resolved_but_not_connected_to()
    {
        Assert.True(Profile.EvaluateDnsQuery("telemetry.example.com").Allowed);
        Assert.False(Profile.EvaluateConnection(["telemetry.example.com"], null, 443, TransportProtocol.Tcp).Allowed);
        Assert.Contains("dns rule", Profile.EvaluateDnsQuery("telemetry.example.com").Reason);
    }

    [Theory]
    [InlineData("/usr/bin/nc", null, false)]
    [InlineData("/tmp/x/nc", null, false)]
    [InlineData("/usr/bin/ncat", null, true)]
    [InlineData("/usr/bin/socat", null, false)]
    [InlineData("/tmp/socat", null, true)]
    [InlineData(null, "nc", false)]
    [InlineData(null, "socat", false)]
    [InlineData(null, "a-very-long-to", true)]
    [InlineData(null, "a-very-long-too", false)]
    [InlineData("/usr/bin/curl", "curl", true)]
    [InlineData("/tmp/nc (deleted)", "nc", false)]
    [InlineData("/usr/bin/socat (deleted)", null, false)]
    [InlineData(null, null, true)]
    public void Processes_are_denied_by_file_name_or_exact_path_falling_back_to_the_truncated_comm(string? exe, string? comm, bool allowed)
    {
        Assert.Equal(allowed, Profile.EvaluateProcess(exe, comm).Allowed);
    }

    [Theory]
    [InlineData("nc", "/usr/bin/nc.openbsd", "nc", null, false)]
    [InlineData("nc", "/usr/bin/nc", "nc", "/usr/bin/nc.openbsd", false)]
    [InlineData("nc.openbsd", "/usr/bin/nc", "nc", "/usr/bin/nc.openbsd", false)]
    [InlineData("/usr/bin/nc.openbsd", "/usr/bin/nc", "nc", "/usr/bin/nc.openbsd", false)]
    [InlineData("/usr/bin/python3", "/usr/bin/python3.11", "python3", "/usr/bin/python3", false)]
    [InlineData("/usr/bin/python3", "/usr/bin/python3", "python3", "/usr/bin/python3.11", false)]
    [InlineData("/usr/bin/python3", "/usr/bin/python3.11", "python3", null, true)]
    [InlineData("/usr/bin/python3", "/opt/venv/bin/python3", "python3", null, true)]
    [InlineData("nc", "/usr/bin/curl", "curl", null, true)]
    [InlineData("a-very-long-tool-name", "/usr/bin/a-very-long-tool-name-2", "a-very-long-to", null, true)]
    public void A_deny_entry_matches_the_program_as_executed_as_well_as_the_file_it_resolved_to(
        string deny, string exe, string comm, string? otherPath, bool allowed)
    {
        var profile = TestProfiles.Single($"name: build\nprocesses:\n  deny: [\"{deny}\"]\n");

        var verdict = profile.EvaluateProcess(exe, comm, otherPath);

        Assert.Equal(allowed, verdict.Allowed);
        if (!allowed && otherPath is not null)
        {
            Assert.Contains($"{exe} ({otherPath})", verdict.Reason);
        }
    }

    [Fact]
    public void A_denied_process_quotes_the_deny_entry()
    {
        var verdict = Profile.EvaluateProcess("/bin/nc", "nc");

        Assert.False(verdict.Allowed);
        Assert.Equal(new RuleReference("build", "test.yaml", 7, 10, "nc"), verdict.Rule);
    }
}
