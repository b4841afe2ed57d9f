using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Tests.Profiles;

public sealed class ExtendsTests
{
    private static readonly ProfileSet Profiles = TestProfiles.Set(
        ("base.yaml", "name: base\nmode: kill\negress: [base.example]\nprocesses: { deny: [nc] }\n"),
        ("npm.yaml", "name: npm\nextends: base\negress: [registry.npmjs.org]\n"),
        ("gh.yaml", "name: gh\nextends: [base]\negress: [github.com]\ndns: [resolve.example]\n"),
        ("job.yaml", "name: job\ndescription: the web build\nextends: [gh, npm]\negress: [own.example]\n"));

    [Fact]
    public void A_profile_gets_its_own_rules_then_each_parents_in_extends_order_with_shared_ancestors_once()
    {
        var job = Profiles.Find("job")!;

        Assert.Equal(["own.example", "github.com", "base.example", "registry.npmjs.org"], job.EgressRules.Select(r => r.Reference.Text));
        Assert.Equal(["gh", "base", "npm"], job.Ancestors);
        Assert.Equal(["gh", "npm"], job.Extends);
        Assert.Equal(1, job.OwnEgressRuleCount);
    }

    [Fact]
    public void Inherited_rules_keep_the_profile_and_file_that_declared_them()
    {
        var verdict = Profiles.Find("job")!.EvaluateConnection(["registry.npmjs.org"], null, 443, TransportProtocol.Tcp);

        Assert.Equal(new RuleReference("npm", "npm.yaml", 3, 10, "registry.npmjs.org"), verdict.Rule);
        Assert.StartsWith("profile 'job' allows registry.npmjs.org:443/tcp by rule 'registry.npmjs.org' of profile 'npm'", verdict.Reason);
    }

    [Fact]
    public void Dns_names_and_denied_processes_are_inherited()
    {
        var job = Profiles.Find("job")!;

        Assert.True(job.EvaluateDnsQuery("resolve.example").Allowed);
        Assert.False(job.EvaluateProcess("/bin/nc", null).Allowed);
    }

    [Fact]
    public void Mode_and_description_are_not_inherited()
    {
        Assert.Equal(ProfileMode.Kill, Profiles.Find("base")!.Mode);
        Assert.Null(Profiles.Find("npm")!.Mode);
        Assert.Equal("", Profiles.Find("npm")!.Description);
        Assert.Equal("the web build", Profiles.Find("job")!.Description);
    }

    [Fact]
    public void A_profile_extending_an_invalid_profile_is_not_resolved_and_says_why()
    {
        var result = ProfileLoader.Load([
            new ProfileText("broken.yaml", "name: broken\negress: ['*']\n"),
            new ProfileText("child.yaml", "name: child\nextends: [broken]\n"),
            new ProfileText("fine.yaml", "name: fine\n"),
        ]);

        Assert.Equal(["fine"], result.Profiles.Profiles.Select(p => p.Name));
        Assert.Contains(result.Diagnostics, d => d is { Source: "child.yaml", Line: 2, Column: 11, Message: "extends 'broken', which is invalid" });
    }

    [Fact]
    public void Several_profiles_may_share_one_file_as_YAML_documents()
    {
        var set = TestProfiles.Set(("all.yaml", "name: one\n---\nname: two\nextends: one\n"));

        Assert.Equal(["one", "two"], set.Profiles.Select(p => p.Name));
        Assert.Equal(3, set.Find("two")!.Line);
    }

    [Fact]
    public void A_chain_deeper_than_32_profiles_is_an_error_whichever_profile_is_loaded_first()
    {
        var chain = Enumerable.Range(0, 40).Select(i => new ProfileText($"p{i}.yaml", i == 39 ? $"name: p{i}\n" : $"name: p{i}\nextends: [p{i + 1}]\n")).ToList();

        var forward = ProfileLoader.Load(chain);
        var backward = ProfileLoader.Load(Enumerable.Reverse(chain));

        Assert.Equal(forward.Profiles.Profiles.Select(p => p.Name), backward.Profiles.Profiles.Select(p => p.Name));
        Assert.Equal(33, forward.Profiles.Profiles.Count);
        var error = Assert.Single(forward.Diagnostics, d => d.Message.Contains("deeper", StringComparison.Ordinal));
        Assert.Equal(("p6.yaml", "extends chain is deeper than 32 profiles"), (error.Source, error.Message));
    }

    [Fact]
    public void Thousands_of_chained_profiles_do_not_exhaust_the_stack()
    {
        var chain = Enumerable.Range(0, 20_000).Select(i => new ProfileText($"p{i}.yaml", $"name: p{i}\nextends: [p{i + 1}]\n"));

        var result = ProfileLoader.Load(chain);

        Assert.Contains(result.Diagnostics, d => d.Message == "'p20000' extends an unknown profile");
    }
}
