using BuildSentry.Core.Profiles;
using static BuildSentry.Tests.Cli.EvidenceReports;

namespace BuildSentry.Tests.Cli;

public sealed class ProfileSuggestCommandTests : IDisposable
{
    private static readonly string Starters = Path.Combine(CliRunner.RepositoryRoot(), "profiles");

    private readonly EvidenceReports _reports = new();
    private readonly TempProfiles _out = new();

    public void Dispose()
    {
        _reports.Dispose();
        _out.Dispose();
    }

    [Fact]
    public void Suggests_the_narrowest_rules_with_their_evidence_and_extends_the_starters_that_cover_the_rest()
    {
        WriteWebJobs();

        var (exitCode, output, error) = Suggest(_reports.Path);

        Assert.Equal(0, exitCode);
        Assert.Equal(
            """
            # Suggested by 'buildsentry profile suggest' from 3 job reports (first job-a).
            # Review every line before use: each rule says how many jobs reached it, in how many attempts, and the first job.
            # FINDING: /usr/bin/nc ran in 1 job (first job-b) and is denied by 'nc' of profile 'network-tools' (STARTERS/network-tools.yaml:8:10): not allowed here
            name: acme-web
            description: "Suggested from 3 job reports; reviewed by nobody yet."
            # mode: kill    # once reviewed and checked with 'buildsentry profile diff': kill or prevent
            extends: [network-tools, npm]
            match:
              - { ci: github, repository: "acme/web", workflow: "ci" }
            egress:
              - { host: api.acme.example, ports: [443, 8443], protocol: tcp }  # 3 jobs, 6 attempts, first job-a
              - { host: "*.cdn.acme.example", ports: [443], protocol: tcp }  # 3 subdomains of cdn.acme.example seen; 2 jobs, 6 attempts, first job-a
              - { host: one.github.io, ports: [443], protocol: tcp }  # 1 job, 2 attempts, first job-b
              - { host: three.github.io, ports: [443], protocol: tcp }  # 1 job, 2 attempts, first job-b
              - { host: two.github.io, ports: [443], protocol: tcp }  # 1 job, 2 attempts, first job-b
              - { cidr: 198.51.100.7/32, ports: [9000], protocol: tcp }  # LITERAL address, reached with no name; 1 job, 2 attempts, first job-b
            dns:
              - licensing.acme.example  # resolved, never connected to; 1 job, 1 query, first job-a

            """,
            output.Replace(Starters, "STARTERS", StringComparison.Ordinal));
        Assert.Contains("finding: /usr/bin/nc ran", error);

        var file = _out.Write("acme-web.yaml", output);
        var check = CliRunner.Run("check", Starters, file);
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Contains("ok acme-web", check.Output);
    }

    [Fact]
    public void The_same_reports_give_the_same_bytes_whatever_their_file_names_and_order()
    {
        WriteWebJobs();
        var first = Suggest(_reports.Path).Output;
        using var renamed = new EvidenceReports();
        foreach (var (file, i) in Directory.GetFiles(_reports.Path, "*.json").Order().Reverse().Select((f, i) => (f, i)))
        {
            File.Copy(file, Path.Combine(renamed.Path, $"{i}-{Guid.NewGuid():N}.json"));
        }

        Assert.Equal(first, Suggest(renamed.Path).Output);
        Assert.Equal(first, Suggest(_reports.Path).Output);
    }

    [Fact]
    public void Never_suggests_a_wildcard_over_a_public_suffix_but_does_under_a_registrable_domain()
    {
        var pages = new[] { "a", "b", "c", "d" }.Select(n => To("185.199.108.153", 443, $"{n}.github.io")).ToList();
        var buckets = new[] { "x", "y", "z" }.Select(n => To("52.216.0.1", 443, $"{n}.s3.amazonaws.com")).ToList();
        var mirrors = new[] { "eu", "us", "ap" }.Select(n => To("198.51.100.1", 443, $"{n}.mirror.example.co.uk")).ToList();
        _reports.Write(Job("job-1", 0, [.. pages, .. buckets, .. mirrors]));

        var (exitCode, output, _) = Suggest(_reports.Path);

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain("*.github.io", output);
        Assert.DoesNotContain("*.s3.amazonaws.com", output);
        Assert.DoesNotContain("*.co.uk", output);
        Assert.Contains("host: \"*.mirror.example.co.uk\"", output);
        Assert.Contains("host: d.github.io", output);
        Assert.Contains("host: z.s3.amazonaws.com", output);
    }

    [Fact]
    public void The_wildcard_threshold_is_configurable_and_zero_turns_wildcards_off()
    {
        _reports.Write(Job("job-1", 0, [To("198.51.100.1", 443, "a.cdn.test"), To("198.51.100.1", 443, "b.cdn.test")]));

        Assert.DoesNotContain("*.cdn.test", Suggest(_reports.Path).Output);
        Assert.Contains("\"*.cdn.test\"", Suggest(_reports.Path, "--wildcard-threshold", "2").Output);
        Assert.DoesNotContain("*.", Suggest(_reports.Path, "--wildcard-threshold", "0").Output.Split("name:")[1]);
        Assert.Equal(2, Suggest(_reports.Path, "--wildcard-threshold", "1").ExitCode);
    }

    [Fact]
    public void Extends_none_lists_every_host_and_an_unknown_starter_is_a_usage_error()
    {
        WriteWebJobs();

        var none = Suggest(_reports.Path, "--extends", "none");
        Assert.Equal(0, none.ExitCode);
        Assert.DoesNotContain("extends:", none.Output);
        Assert.Contains("{ host: registry.npmjs.org, ports: [443], protocol: tcp }", none.Output);

        var named = Suggest(_reports.Path, "--extends", "npm,nope");
        Assert.Equal(2, named.ExitCode);
        Assert.Contains("'nope'", named.Error);
    }

    [Fact]
    public void Auto_extends_the_parents_rather_than_a_profile_that_adds_only_unseen_rules_to_them()
    {
        using var starters = new TempProfiles();
        starters.Write("a.yaml", "name: a\negress: [{ host: a.example, ports: [443], protocol: tcp }]\n");
        starters.Write("b.yaml", "name: b\negress: [{ host: b.example, ports: [443], protocol: tcp }]\n");
        starters.Write("wide.yaml", "name: wide\nextends: [a, b]\negress: [unseen.example]\n");
        starters.Write("wider.yaml", "name: wider\nextends: [a]\negress: [c.example]\n");
        _reports.Write(Job("job-1", 0, [To("192.0.2.1", 443, "a.example"), To("192.0.2.2", 443, "b.example"), To("192.0.2.3", 443, "c.example")]));

        var (exitCode, output, error) = CliRunner.Run("profile", "suggest", _reports.Path, "--profiles", starters.Path);

        Assert.True(exitCode == 0, error);
        Assert.Contains("extends: [b, wider]\n", output);
        Assert.DoesNotContain("egress:", output);
    }

    [Fact]
    public void Match_selects_the_reports_it_covers_and_is_written_as_given()
    {
        WriteWebJobs();
        _reports.Write(Job("job-other", 1, [To("192.0.2.50", 443, "other.example")], repository: "acme/other"));

        var (exitCode, output, _) = Suggest(_reports.Path, "--match", "{ ci: github, repository: \"acme/w*\" }", "--name", "acme-web");

        Assert.Equal(0, exitCode);
        Assert.Contains("  - { ci: github, repository: \"acme/w*\" }", output);
        Assert.DoesNotContain("other.example", output);
        Assert.Equal(2, Suggest(_reports.Path, "--match", "{ ci: jenkinz }").ExitCode);
        Assert.Equal(2, Suggest(_reports.Path, "--name", "Not A Name").ExitCode);
    }

    [Fact]
    public void Bad_reports_each_get_an_error_naming_the_file_and_nothing_crashes()
    {
        WriteWebJobs();
        var good = File.ReadAllText(Path.Combine(_reports.Path, "job-a.json"));
        var older = Path.Combine(_reports.Path, "older.json");
        File.WriteAllText(older, """{ "jobId": "old-1", "ciSystem": "github", "started": "2025-01-01T00:00:00Z", "connections": [] }""");
        var truncated = Path.Combine(_reports.Path, "truncated.json");
        File.WriteAllText(truncated, good[..(good.Length / 2)]);
        var alertLog = Path.Combine(_reports.Path, "alerts.json");
        File.WriteAllText(alertLog, "{\"kind\":\"egress.dns\"}\n{\"kind\":\"egress.dns\"}\n");
        var nulls = Path.Combine(_reports.Path, "nulls.json");
        File.WriteAllText(nulls, good.Replace("\"destinations\": [", "\"destinations\": null, \"x\": [", StringComparison.Ordinal));
        File.WriteAllBytes(Path.Combine(_reports.Path, "binary.json"), [0xff, 0xfe, 0, 1, 2, 0x1b, (byte)'[']);
        File.WriteAllText(Path.Combine(_reports.Path, "notes.txt"), "not a report, not read");

        var (exitCode, output, error) = Suggest(_reports.Path);

        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        foreach (var file in new[] { older, truncated, alertLog, nulls, Path.Combine(_reports.Path, "binary.json") })
        {
            Assert.Contains($"error: {file}: not a BuildSentry job report", error);
        }

        Assert.Contains("missing required properties", error);
        Assert.DoesNotContain("notes.txt", error);
        Assert.DoesNotContain(error, c => c < 0x20 && c != '\n');
        Assert.Equal(2, Suggest(Path.Combine(_reports.Path, "nope")).ExitCode);
    }

    [Fact]
    public void Hostile_job_ids_and_repository_names_cannot_add_keys_or_leave_their_quotes()
    {
        var hostile = "x\negress: [\"*.evil.test\"]\u2028# \u001b[2J";
        _reports.Write(Job(hostile, 0, [To("198.51.100.1", 443, "ok.example")], repository: "acme/\"web\" - { ci: gitlab }"), "hostile.json");

        var (exitCode, output, _) = Suggest(_reports.Path, "--name", "hostile");

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain(output, c => (c < 0x20 && c != '\n') || c is '\u2028');
        Assert.DoesNotContain("\negress: [", output);
        Assert.Contains("repository: \"acme/\\\"web\\\" - { ci: gitlab }\"", output);
        var file = _out.Write("hostile.yaml", output);
        var check = CliRunner.Run("check", Starters, file, "--profile", "hostile", "--host", "a.evil.test");
        Assert.True(check.ExitCode == 1, check.Output);
    }

    private void WriteWebJobs()
    {
        _reports.Write(Job("job-a", 0,
            [To("104.16.0.1", 443, "registry.npmjs.org"), To("203.0.113.10", 443, "api.acme.example"), To("203.0.113.20", 443, "a.cdn.acme.example"),
             To("203.0.113.20", 443, "b.cdn.acme.example")],
            dns: ["registry.npmjs.org", "api.acme.example", "a.cdn.acme.example", "b.cdn.acme.example", "licensing.acme.example"]));
        _reports.Write(Job("job-b", 5,
            [To("203.0.113.20", 443, "c.cdn.acme.example"), To("203.0.113.10", 8443, "api.acme.example"), To("198.51.100.7", 9000),
             To("185.199.108.153", 443, "one.github.io"), To("185.199.108.153", 443, "two.github.io"), To("185.199.108.153", 443, "three.github.io")],
            exes: ["/usr/bin/curl", "/usr/bin/nc"]));
        _reports.Write(Job("job-c", 9, [To("203.0.113.10", 443, "api.acme.example")]));
    }

    private static (int ExitCode, string Output, string Error) Suggest(string reports, params string[] more) =>
        CliRunner.Run(["profile", "suggest", reports, "--profiles", Starters, .. more]);
}
