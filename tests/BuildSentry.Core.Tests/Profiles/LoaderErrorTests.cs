using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Tests.Profiles;

public sealed class LoaderErrorTests
{
    private static ProfileDiagnostic SingleError(string yaml)
    {
        var diagnostics = TestProfiles.Errors(yaml);
        return Assert.Single(diagnostics);
    }

    [Fact]
    public void An_unknown_key_is_reported_at_the_key_with_the_nearest_valid_key()
    {
        var error = SingleError("name: a\negres:\n  - github.com\n");

        Assert.Equal(("bad.yaml", 2, 1), (error.Source, error.Line, error.Column));
        Assert.Equal("unknown key 'egres' in profile", error.Message);
        Assert.Equal("did you mean 'egress'?", error.Hint);
    }

    [Fact]
    public void An_unknown_key_in_an_egress_rule_names_the_nearest_rule_key()
    {
        var error = SingleError("name: a\negress:\n  - { host: github.com, port: 443 }\n");

        Assert.Equal((3, 25), (error.Line, error.Column));
        Assert.Equal("did you mean 'ports'?", error.Hint);
    }

    [Theory]
    [InlineData("10.0.0.0/33", "the prefix length must be a number from 0 to 32")]
    [InlineData("10.0.0.1/8", "it has host bits set")]
    [InlineData("10.0.0/8", "is not an IP address")]
    [InlineData("2001:db8::/129", "from 0 to 128")]
    [InlineData("0.0.0.0/0", "would allow every IPv4 address")]
    public void A_bad_CIDR_is_reported_at_its_value(string cidr, string message)
    {
        var error = SingleError($"name: a\negress:\n  - cidr: \"{cidr}\"\n");

        Assert.Equal((3, 11), (error.Line, error.Column));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_CIDR_with_host_bits_suggests_the_network()
    {
        Assert.Equal("did you mean '10.0.0.0/8'?", SingleError("name: a\negress: [{cidr: 10.0.0.1/8}]").Hint);
    }

    [Theory]
    [InlineData("*evil.com", "write '*.evil.com' for its subdomains")]
    [InlineData("a.*.com", "write '*.example.com' to allow every subdomain of example.com")]
    [InlineData("foo*.example.com", "write '*.example.com' to allow every subdomain of example.com")]
    [InlineData("*.*.example.com", "write '*.example.com' to allow every subdomain of example.com")]
    [InlineData("*", "list the hosts the build needs")]
    [InlineData("*.com", "name the domain, e.g. '*.example.com'")]
    [InlineData("https://github.com/x", "write only the host, e.g. 'github.com'; use 'cidr' for address ranges")]
    [InlineData("1.2.3.4", "use a map: { cidr: 1.2.3.4/32 }")]
    [InlineData("github.com:443", "ports go in a map: { host: github.com, ports: [443] }")]
    [InlineData("github..com", null)]
    public void A_bad_host_or_wildcard_is_reported_at_the_entry_with_a_hint(string host, string? hint)
    {
        var error = SingleError($"name: a\negress:\n  - good.example\n  - \"{host}\"\n");

        Assert.Equal((4, 5), (error.Line, error.Column));
        Assert.Equal(hint, error.Hint);
    }

    [Theory]
    [InlineData("name: [a, b]\n", 1, 7, "'name' must be a string, not a list")]
    [InlineData("name: a\negress: github.com\n", 2, 9, "'egress' must be a list, not a string")]
    [InlineData("name: a\negress:\n  - [github.com]\n", 3, 5, "an egress rule must be a host name or a mapping with 'host' or 'cidr', not a list")]
    [InlineData("name: a\nprocesses: [nc]\n", 2, 12, "'processes' must be a mapping, not a list")]
    [InlineData("name: a\negress:\n  - { host: a.example, ports: [http] }\n", 3, 32, "'http' is not a port or port range; ports are numbers from 1 to 65535")]
    [InlineData("name: a\negress:\n  - { host: a.example, ports: \"9-1\" }\n", 3, 31, "port range '9-1' is reversed")]
    [InlineData("name: a\nmode: enforce\n", 2, 7, "'enforce' is not a mode")]
    [InlineData("name: a\negress:\n  - { host: a.example, protocol: icmp }\n", 3, 34, "'icmp' is not a protocol")]
    [InlineData("name: a\nmatch: { ci: githib }\n", 2, 14, "'githib' is not a CI system")]
    [InlineData("name: a\nmatch: {}\n", 2, 8, "the match entry sets no field, so it would match every job")]
    [InlineData("name: Bad Name\n", 1, 7, "'Bad Name' is not a valid profile name")]
    [InlineData("description: x\n", 1, 1, "the profile has no 'name'")]
    [InlineData("- name: a\n", 1, 1, "a profile must be a mapping of keys such as name and egress, not a list")]
    [InlineData("name: a\negress:\n  - { host: a.example, cidr: 10.0.0.0/8 }\n", 3, 5, "the egress rule has both 'host' and 'cidr'")]
    [InlineData("name: a\nname: b\n", 2, 1, "duplicate key 'name'")]
    [InlineData("name: a\negress: [*nope]\n", 2, 10, "alias '*nope' refers to no earlier anchor")]
    [InlineData("# only a comment\n", 1, 1, "the file contains no profile")]
    public void Each_kind_of_error_is_reported_at_its_exact_line_and_column(string yaml, int line, int column, string message)
    {
        var error = SingleError(yaml);

        Assert.Equal((line, column, message), (error.Line, error.Column, error.Message));
    }

    [Theory]
    [InlineData("name: a\negress:\n  - github.com\n - broken: x\n", 4, 2, "While parsing a block mapping, did not find expected key.")]
    [InlineData("name: a\negress: [github.com\nmode: kill\n", 3, 1, "malformed YAML")]
    public void A_YAML_syntax_error_is_one_diagnostic_at_its_position(string yaml, int line, int column, string message)
    {
        var error = SingleError(yaml);

        Assert.Equal(("bad.yaml", line, column, message), (error.Source, error.Line, error.Column, error.Message));
    }

    [Fact]
    public void Every_error_of_a_file_is_reported_at_once_in_text_order()
    {
        var diagnostics = TestProfiles.Errors("""
            name: a
            mode: loud
            egress:
              - "*evil.com"
              - cidr: 300.0.0.0/8
              - { host: ok.example, ports: [0] }
            dns: ["a.*.example"]
            processes:
              deny: [bin/nc]
            extra: 1
            """);

        Assert.Equal([2, 4, 5, 6, 7, 9, 10], diagnostics.Select(d => d.Line));
    }

    [Fact]
    public void A_rule_with_both_host_and_cidr_still_has_its_ports_checked()
    {
        var diagnostics = TestProfiles.Errors("name: a\negress:\n  - { host: a.example, cidr: 10.0.0.0/8, ports: [99999] }\n");

        Assert.Equal([(3, 5), (3, 50)], diagnostics.Select(d => (d.Line, d.Column)));
    }

    [Fact]
    public void A_duplicate_profile_name_is_reported_at_the_second_name_with_the_first_location()
    {
        var result = ProfileLoader.Load([new ProfileText("one.yaml", "name: a\n"), new ProfileText("two.yaml", "\nname: a\n")]);

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(("two.yaml", 2, 7), (error.Source, error.Line, error.Column));
        Assert.Equal("duplicate profile name 'a'", error.Message);
        Assert.Equal("it is already defined at one.yaml:1:7", error.Hint);
    }

    [Fact]
    public void A_cycle_in_extends_is_reported_at_the_entry_that_closes_it()
    {
        var result = ProfileLoader.Load([
            new ProfileText("a.yaml", "name: a\nextends: [b]\n"),
            new ProfileText("b.yaml", "name: b\nextends:\n  - c\n"),
            new ProfileText("c.yaml", "name: c\nextends: [a]\n"),
        ]);

        var cycle = Assert.Single(result.Diagnostics, d => d.Message.StartsWith("extends cycle", StringComparison.Ordinal));
        Assert.Equal(("c.yaml", 2, 11), (cycle.Source, cycle.Line, cycle.Column));
        Assert.Equal("extends cycle: a -> b -> c -> a", cycle.Message);
        Assert.Empty(result.Profiles.Profiles);
    }

    [Fact]
    public void A_profile_extending_itself_is_a_cycle()
    {
        var error = SingleError("name: a\nextends: a\n");

        Assert.Equal((2, 10, "extends cycle: a -> a"), (error.Line, error.Column, error.Message));
    }

    [Fact]
    public void An_unknown_parent_is_reported_with_the_nearest_known_name()
    {
        var result = ProfileLoader.Load([new ProfileText("a.yaml", "name: a\nextends: [github-action]\n"), new ProfileText("g.yaml", "name: github-actions\n")]);

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(("a.yaml", 2, 11), (error.Source, error.Line, error.Column));
        Assert.Equal("did you mean 'github-actions'?", error.Hint);
        Assert.Equal(["github-actions"], result.Profiles.Profiles.Select(p => p.Name));
    }

    [Fact]
    public void Diagnostics_format_as_file_line_column_error_message_and_hint()
    {
        Assert.Equal("p.yaml:3:7: error: bad (hint: fix it)", new ProfileDiagnostic("p.yaml", 3, 7, "bad", "fix it").ToString());
        Assert.Equal("p.yaml:3:7: error: bad", new ProfileDiagnostic("p.yaml", 3, 7, "bad", null).ToString());
    }
}
