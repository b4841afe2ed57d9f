namespace BuildSentry.Tests.Cli;

public sealed class CheckCommandTests
{
    private static readonly string Profiles = Path.Combine(CliRunner.RepositoryRoot(), "profiles");

    [Fact]
    public void The_starter_profiles_are_valid_and_each_gets_a_summary_line()
    {
        var (exitCode, output, _) = CliRunner.Run("check", Profiles);

        var files = Directory.GetFiles(Profiles, "*.yaml");
        Assert.True(exitCode == 0, output);
        Assert.Equal(files.Length, output.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal)));
        Assert.Contains($"checked {files.Length} files: {files.Length} valid profiles, 0 errors", output);
        Assert.Contains("ok default (default) [", output);
        foreach (var name in new[] { "github-actions", "npm", "pypi", "nuget", "maven-central", "docker-hub", "go-proxy", "crates-io", "debian-ubuntu" })
        {
            Assert.Contains($"ok {name} [", output);
        }
    }

    [Fact]
    public void Every_starter_profile_has_a_description_and_a_comment_naming_its_source()
    {
        foreach (var file in Directory.GetFiles(Profiles, "*.yaml"))
        {
            var text = File.ReadAllText(file);
            Assert.True(text.Contains("# Source:", StringComparison.Ordinal), $"{file} has no '# Source:' comment");
            Assert.True(text.Contains("\ndescription:", StringComparison.Ordinal), $"{file} has no description");
        }
    }

    [Fact]
    public void Invalid_profiles_exit_1_with_every_error_as_file_line_column()
    {
        using var temp = new TempProfiles();
        var file = temp.Write("team/web.yaml", "name: web\negres: [github.com]\negress:\n  - \"*evil.com\"\n  - cidr: 10.0.0.1/8\n");
        temp.Write("ok.yaml", "name: ok\n");

        var (exitCode, output, _) = CliRunner.Run("check", temp.Path);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{file}:2:1: error: unknown key 'egres' in profile (hint: did you mean 'egress'?)", output);
        Assert.Contains($"{file}:4:5: error: '*evil.com' is not a valid wildcard", output);
        Assert.Contains($"{file}:5:11: error: '10.0.0.1/8' is not a valid CIDR: it has host bits set (hint: did you mean '10.0.0.0/8'?)", output);
        Assert.Contains("ok ok [", output);
        Assert.Contains("checked 2 files: 1 valid profile, 3 errors", output);
    }

    [Fact]
    public void Files_and_directories_can_be_mixed_and_yml_files_are_found()
    {
        using var temp = new TempProfiles();
        temp.Write("a/one.yml", "name: one\nextends: [two]\n");
        temp.Write("a/.git/ignored.yaml", "broken: [\n");
        temp.Write("a/notes.txt", "not a profile");
        var two = temp.Write("two.yaml", "name: two\n");

        var (exitCode, output, _) = CliRunner.Run("check", Path.Combine(temp.Path, "a"), two);

        Assert.True(exitCode == 0, output);
        Assert.Contains("ok one [", output);
        Assert.Contains("extends two", output);
        Assert.Contains("checked 2 files: 2 valid profiles, 0 errors", output);
    }

    [Fact]
    public void A_directory_without_profile_files_is_a_failure()
    {
        using var temp = new TempProfiles();

        var (exitCode, output, _) = CliRunner.Run("check", temp.Path);

        Assert.Equal(1, exitCode);
        Assert.Equal("error: no profile files (*.yaml, *.yml) found\n", output);
    }

    [Theory]
    [InlineData("github.com", "443", 0, "allowed: profile 'github-actions' allows github.com:443/tcp by rule 'github.com ports 22, 443/tcp' of profile 'github-actions' (")]
    [InlineData("GITHUB.COM.", "22", 0, "allowed: ")]
    [InlineData("github.com", "80", 1, "denied: github.com is allowed by profile 'github-actions' only on ports 22, 443/tcp, not github.com:80/tcp")]
    [InlineData("github.com.evil.test", "443", 1, "denied: no egress rule of profile 'github-actions' matches github.com.evil.test:443/tcp")]
    public void Asking_about_a_host_prints_the_verdict_and_exits_0_when_allowed_and_1_when_denied(string host, string port, int expectedExit, string expectedOutput)
    {
        var (exitCode, output, _) = CliRunner.Run("check", Profiles, "--profile", "github-actions", "--host", host, "--port", port);

        Assert.Equal(expectedExit, exitCode);
        Assert.StartsWith(expectedOutput, output);
    }

    [Fact]
    public void Asking_about_an_address_checks_the_CIDR_rules()
    {
        using var temp = new TempProfiles();
        temp.Write("lan.yaml", "name: lan\negress:\n  - { cidr: 10.0.0.0/8, ports: [\"8000-8100\"], protocol: udp }\n");

        var allowed = CliRunner.Run("check", temp.Path, "--profile", "lan", "--ip", "::ffff:10.2.3.4", "--port", "8100", "--protocol", "udp");
        var denied = CliRunner.Run("check", temp.Path, "--profile", "lan", "--ip", "10.2.3.4", "--port", "8100");

        Assert.Equal(0, allowed.ExitCode);
        Assert.Contains("by rule '10.0.0.0/8 ports 8000-8100/udp' of profile 'lan' (", allowed.Output);
        Assert.Equal(1, denied.ExitCode);
    }

    [Fact]
    public void Asking_about_DNS_and_processes_uses_the_dns_list_and_deny_list()
    {
        var dns = CliRunner.Run("check", Profiles, "--profile", "default", "--dns", "exfil.evil.test");
        var process = CliRunner.Run("check", Profiles, "--profile", "default", "--process", "socat");

        Assert.Equal(1, dns.ExitCode);
        Assert.Contains("denied: no egress or dns rule of profile 'default' matches DNS query exfil.evil.test", dns.Output);
        Assert.Equal(1, process.ExitCode);
        Assert.Contains("by rule 'socat' of profile 'network-tools'", process.Output);
    }

    [Fact]
    public void A_profile_alone_lists_its_effective_rules_with_their_origin()
    {
        var (exitCode, output, _) = CliRunner.Run("check", Profiles, "--profile", "github-actions-artifacts");

        Assert.Equal(0, exitCode);
        Assert.Contains("inherits: github-actions, network-tools", output);
        Assert.Contains("    ghcr.io ports 443/tcp  (github-actions, ", output);
    }

    [Fact]
    public void A_question_cannot_be_answered_when_the_profiles_are_invalid()
    {
        using var temp = new TempProfiles();
        temp.Write("bad.yaml", "name: bad\nextends: [missing]\n");

        var (exitCode, output, _) = CliRunner.Run("check", temp.Path, "--profile", "bad", "--host", "github.com");

        Assert.Equal(1, exitCode);
        Assert.Contains("cannot answer: the profiles have 1 error", output);
    }

    [Theory]
    [InlineData("check")]
    [InlineData("check", "/nonexistent/profiles")]
    [InlineData("check", "PROFILES", "--bogus")]
    [InlineData("check", "PROFILES", "--host", "github.com")]
    [InlineData("check", "PROFILES", "--profile", "github-actions", "--port", "70000", "--host", "github.com")]
    [InlineData("check", "PROFILES", "--profile", "github-actions", "--ip", "not-an-ip")]
    [InlineData("check", "PROFILES", "--profile", "github-actions", "--host", "github.com", "--protocol", "icmp")]
    [InlineData("check", "PROFILES", "--profile", "no-such-profile", "--host", "github.com")]
    [InlineData("frobnicate")]
    [InlineData]
    public void A_wrong_command_line_exits_2_with_a_message_on_standard_error(params string[] args)
    {
        var (exitCode, _, error) = CliRunner.Run(args.Select(a => a == "PROFILES" ? Profiles : a).ToArray());

        Assert.Equal(2, exitCode);
        Assert.StartsWith("error: ", error);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("check", "--help")]
    public void Help_is_available_on_every_command(params string[] args)
    {
        var (exitCode, output, _) = CliRunner.Run(args);

        Assert.Equal(0, exitCode);
        Assert.Contains("Usage:", output);
    }
}
