using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Tests.Profiles;

public sealed class HostMatchingTests
{
    private static readonly ResolvedProfile Profile = TestProfiles.Single("""
        name: gh
        egress:
          - github.com
          - "*.githubusercontent.com"
          - bücher.example
        """);

    [Theory]
    [InlineData("github.com", true)]
    [InlineData("GITHUB.COM.", true)]
    [InlineData("GitHub.Com", true)]
    [InlineData("github.com.evil.test", false)]
    [InlineData("evilgithub.com", false)]
    [InlineData("api.github.com", false)]
    [InlineData("github.co", false)]
    [InlineData("gіthub.com", false)]
    [InlineData("xn--gthub-n2e.com", false)]
    [InlineData("github..com", false)]
    [InlineData(".github.com", false)]
    [InlineData("github.com..", false)]
    [InlineData("", false)]
    [InlineData("raw.githubusercontent.com", true)]
    [InlineData("a.b.c.githubusercontent.com", true)]
    [InlineData("RAW.GitHubUserContent.com.", true)]
    [InlineData("githubusercontent.com", false)]
    [InlineData("evilgithubusercontent.com", false)]
    [InlineData("githubusercontent.com.evil.test", false)]
    [InlineData("raw..githubusercontent.com", false)]
    [InlineData("bücher.example", true)]
    [InlineData("xn--bcher-kva.example", true)]
    [InlineData("XN--BCHER-KVA.EXAMPLE.", true)]
    [InlineData("bucher.example", false)]
    public void Host_names_match_exactly_or_as_a_subdomain_of_a_wildcard(string name, bool allowed)
    {
        Assert.Equal(allowed, Profile.EvaluateHostName(name).Allowed);
        Assert.Equal(allowed, Profile.EvaluateConnection([name], null, 443, TransportProtocol.Tcp).Allowed);
    }

    [Fact]
    public void An_allowed_connection_quotes_the_rule_with_its_file_line_and_column()
    {
        var verdict = Profile.EvaluateConnection(["raw.githubusercontent.com"], null, 443, TransportProtocol.Tcp);

        Assert.True(verdict.Allowed);
        Assert.Equal(new RuleReference("gh", "test.yaml", 4, 5, "*.githubusercontent.com"), verdict.Rule);
        Assert.Contains("test.yaml:4:5", verdict.Reason);
    }

    [Fact]
    public void A_denied_connection_says_no_rule_matches_and_names_the_destination()
    {
        var verdict = Profile.EvaluateConnection(["evil.test"], null, 443, TransportProtocol.Tcp);

        Assert.False(verdict.Allowed);
        Assert.Null(verdict.Rule);
        Assert.Equal("no egress rule of profile 'gh' matches evil.test:443/tcp", verdict.Reason);
    }

    [Fact]
    public void Any_of_several_names_for_the_destination_may_allow_it()
    {
        var verdict = Profile.EvaluateConnection(["cdn.evil.test", "GitHub.com"], null, 443, TransportProtocol.Tcp);

        Assert.True(verdict.Allowed);
        Assert.Equal("github.com", verdict.Rule!.Text);
    }

    [Fact]
    public void Control_characters_in_an_invalid_name_never_reach_the_reason()
    {
        var verdict = Profile.EvaluateHostName("evil\n\u001b[31m.test");

        Assert.False(verdict.Allowed);
        Assert.DoesNotContain('\n', verdict.Reason);
        Assert.DoesNotContain('\u001b', verdict.Reason);
    }

    [Fact]
    public void The_earliest_rule_is_quoted_when_several_allow_the_same_name()
    {
        var profile = TestProfiles.Single("""
            name: overlap
            egress:
              - "*.example.com"
              - api.example.com
            """);

        Assert.Equal(3, profile.EvaluateHostName("api.example.com").Rule!.Line);
    }
}
