using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Tests.Profiles;

public sealed class ProfileSelectorTests
{
    private static readonly ProfileSet Profiles = TestProfiles.Set(
        ("default.yaml", "name: default\n"),
        ("gh.yaml", "name: github\nmatch: { ci: github }\n"),
        ("acme.yaml", "name: acme\nmatch: { ci: github, repository: \"acme/*\" }\n"),
        ("web.yaml", "name: web\nmatch: { ci: github, repository: acme/web }\n"),
        ("web-deploy.yaml", "name: web-deploy\nmatch:\n  - { ci: github, repository: acme/web, workflow: deploy* }\n  - { ci: gitlab, runner: deploy-?? }\n"),
        ("twin-b.yaml", "name: twin-b\nmatch: { repository: twins/x }\n"),
        ("twin-a.yaml", "name: twin-a\nmatch: { repository: twins/x }\n"));

    [Theory]
    [InlineData(CiSystem.GitHub, "other/repo", null, null, "github")]
    [InlineData(CiSystem.GitHub, "acme/api", null, null, "acme")]
    [InlineData(CiSystem.GitHub, "ACME/Web", null, null, "web")]
    [InlineData(CiSystem.GitHub, "acme/web", "deploy-prod", null, "web-deploy")]
    [InlineData(CiSystem.GitHub, "acme/web", "test", null, "web")]
    [InlineData(CiSystem.GitLab, "acme/web", null, "deploy-07", "web-deploy")]
    [InlineData(CiSystem.GitLab, "acme/web", null, "deploy-7", "default")]
    [InlineData(CiSystem.Jenkins, null, null, null, "default")]
    [InlineData(null, "twins/x", null, null, "twin-a")]
    public void The_most_specific_matching_selector_wins(CiSystem? ci, string? repository, string? workflow, string? runner, string expected)
    {
        var selection = Profiles.Select(new JobDescriptor(ci, repository, workflow, null, runner));

        Assert.Equal(expected, selection.Profile?.Name);
    }

    [Fact]
    public void The_selection_says_which_match_entry_chose_the_profile()
    {
        var selection = Profiles.Select(new JobDescriptor(CiSystem.GitHub, "acme/api"));

        Assert.Equal("profile 'acme' selected by match (ci=github, repository=acme/*) at acme.yaml:2:8", selection.Reason);
    }

    [Fact]
    public void A_job_nothing_matches_gets_the_default_profile_and_is_told_so()
    {
        var selection = Profiles.Select(new JobDescriptor(CiSystem.Buildkite));

        Assert.Equal("default", selection.Profile?.Name);
        Assert.Null(selection.Selector);
        Assert.Equal("no profile's match fits the job; using the default profile 'default'", selection.Reason);
    }

    [Fact]
    public void The_default_profile_can_be_named_and_may_be_missing()
    {
        var named = ProfileLoader.Load([new ProfileText("f.yaml", "name: fallback\n")], "fallback");
        var none = ProfileLoader.Load([new ProfileText("f.yaml", "name: fallback\n")]);
        var missing = ProfileLoader.Load([new ProfileText("f.yaml", "name: fallback\n")], "fallbak");

        Assert.Equal("fallback", named.Profiles.Select(new JobDescriptor()).Profile?.Name);
        Assert.Null(none.Profiles.Select(new JobDescriptor()).Profile);
        Assert.Equal("configuration:1:1: error: the default profile 'fallbak' is not defined (hint: did you mean 'fallback'?)", Assert.Single(missing.Diagnostics).ToString());
    }

    [Theory]
    [InlineData("acme/*", "acme/web", true)]
    [InlineData("acme/*", "acme/team/web", true)]
    [InlineData("acme/*", "acme", false)]
    [InlineData("*-service", "billing-service", true)]
    [InlineData("a*b*c", "aXbYbZc", true)]
    [InlineData("a*b*c", "aXbYbZ", false)]
    [InlineData("build-?", "build-1", true)]
    [InlineData("build-?", "build-12", false)]
    [InlineData("Acme/Web", "acme/web", true)]
    public void Globs_match_case_insensitively_with_star_and_question_mark(string pattern, string value, bool matches)
    {
        Assert.Equal(matches, new Glob(pattern).Matches(value));
    }
}
