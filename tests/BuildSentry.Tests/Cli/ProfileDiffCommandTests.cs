using static BuildSentry.Tests.Cli.EvidenceReports;

namespace BuildSentry.Tests.Cli;

public sealed class ProfileDiffCommandTests : IDisposable
{
    private const string Current = """
        name: web
        egress:
          - { host: registry.test, ports: [443], protocol: tcp }
          - { host: cdn.test, ports: [443], protocol: tcp }
        processes: { deny: [nc] }
        """;

    private readonly EvidenceReports _reports = new();
    private readonly TempProfiles _current = new();
    private readonly TempProfiles _proposed = new();

    public ProfileDiffCommandTests()
    {
        _current.Write("web.yaml", Current);
        _reports.Write(Job("job-1", 0, [To("198.18.0.10", 443, "registry.test"), To("198.18.0.11", 443, "cdn.test")]));
        _reports.Write(Job("job-2", 1, [To("198.18.0.10", 443, "registry.test")]));
        _reports.Write(Job("job-3", 2, [To("198.18.0.11", 443, "cdn.test")], exes: ["/usr/bin/socat"]));
        _reports.Write(Job("job-4", 3, [To("198.18.0.11", 443, "cdn.test")], dns: ["cdn.test", "new.test"]));
    }

    public void Dispose()
    {
        _reports.Dispose();
        _current.Dispose();
        _proposed.Dispose();
    }

    [Fact]
    public void The_same_profile_changes_nothing_and_exits_0()
    {
        _proposed.Write("web.yaml", Current);

        var (exitCode, output, error) = Diff();

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        Assert.Equal("profile 'web': 0 newly denied, 0 newly allowed, from 4 job reports (15 recorded verdicts)\n", output);
    }

    [Fact]
    public void Removing_a_host_reports_exactly_the_jobs_that_used_it_with_the_rule_that_allowed_it_and_exits_1()
    {
        _proposed.Write("web.yaml", Current.Replace("  - { host: cdn.test, ports: [443], protocol: tcp }\n", "", StringComparison.Ordinal));

        var (exitCode, output, _) = Diff();

        Assert.Equal(1, exitCode);
        var lines = output.Split('\n');
        Assert.Equal("newly denied: DNS query cdn.test (3 jobs: job-1, job-3, job-4)", lines[0]);
        Assert.StartsWith($"  before: allowed by 'cdn.test ports 443/tcp' of profile 'web' ({Path.Combine(_current.Path, "web.yaml")}:4:5)", lines[1]);
        Assert.StartsWith("  now: denied: ", lines[2]);
        Assert.Equal("newly denied: connection to 198.18.0.11:443/tcp (cdn.test) (3 jobs: job-1, job-3, job-4)", lines[3]);
        Assert.Equal(2, output.Split('\n').Count(l => l.StartsWith("newly denied:", StringComparison.Ordinal)));
        Assert.EndsWith("profile 'web': 2 newly denied, 0 newly allowed, from 4 job reports (15 recorded verdicts)\n", output);
    }

    [Fact]
    public void Adding_a_name_and_dropping_a_deny_entry_are_newly_allowed_and_exit_0()
    {
        _proposed.Write("web.yaml", Current.Replace("processes: { deny: [nc] }", "dns: [new.test]\nprocesses: { deny: [nc, socat] }", StringComparison.Ordinal)
            .Replace("deny: [nc, socat]", "deny: [nc]", StringComparison.Ordinal));

        var (exitCode, output, _) = Diff();

        Assert.Equal(0, exitCode);
        Assert.Contains("newly allowed: DNS query new.test (1 job: job-4)\n  before: denied: ", output);
        Assert.Contains("profile 'web': 0 newly denied, 1 newly allowed", output);

        _current.Write("web.yaml", Current.Replace("deny: [nc]", "deny: [nc, socat]", StringComparison.Ordinal));
        var dropped = Diff();
        Assert.Contains("newly allowed: process /usr/bin/socat (1 job: job-3)", dropped.Output);
    }

    [Fact]
    public void A_profile_the_current_set_lacks_has_everything_newly_allowed()
    {
        _proposed.Write("web.yaml", Current.Replace("name: web", "name: web-next", StringComparison.Ordinal));

        var (exitCode, output, _) = Diff("web-next");

        Assert.Equal(0, exitCode);
        Assert.Contains("newly allowed: connection to 198.18.0.10:443/tcp (registry.test) (2 jobs: job-1, job-2)\n  before: denied: the current profiles have no profile 'web-next'", output);
    }

    [Fact]
    public void Usage_errors_exit_2_and_unreadable_input_exits_1_naming_the_file()
    {
        _proposed.Write("web.yaml", Current);

        Assert.Equal(2, Diff("nope").ExitCode);
        Assert.Equal(2, CliRunner.Run("profile", "diff", _proposed.Path, "--profile", "web").ExitCode);
        Assert.Equal(2, CliRunner.Run("profile", "diff", _proposed.Path, "--profile", "web", "--against", "/nonexistent", "--current", _current.Path).ExitCode);

        var truncated = Path.Combine(_reports.Path, "cut.json");
        File.WriteAllText(truncated, "{\"jobId\": \"x\", \"destinations\": [");
        var (exitCode, _, error) = Diff();
        Assert.Equal(1, exitCode);
        Assert.Contains($"error: {truncated}: not a BuildSentry job report", error);

        File.Delete(truncated);
        _proposed.Write("broken.yaml", "name: broken\negres: []\n");
        var invalid = Diff();
        Assert.Equal(1, invalid.ExitCode);
        Assert.Contains("unknown key 'egres'", invalid.Error);
    }

    private (int ExitCode, string Output, string Error) Diff(string profile = "web") =>
        CliRunner.Run("profile", "diff", _proposed.Path, "--profile", profile, "--against", _reports.Path, "--current", _current.Path);
}
