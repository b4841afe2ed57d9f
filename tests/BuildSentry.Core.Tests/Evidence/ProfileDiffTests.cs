using BuildSentry.Core.Evidence;
using BuildSentry.Core.Profiles;
using BuildSentry.Core.Tests.Reports;

namespace BuildSentry.Core.Tests.Evidence;

/// <summary>The replay gives the monitor's verdicts: a report the monitor wrote replays against its own profile unchanged,
/// and against that profile with every fix applied, exactly the violations become newly allowed.</summary>
public sealed class ProfileDiffTests
{
    [Fact]
    public void A_report_replayed_against_the_profile_that_judged_it_changes_nothing()
    {
        var report = ViolationFixTests.Run();
        var web = Load(ViolationFixTests.Web);

        var diff = ProfileDiff.Compare(web, web, [report]);

        Assert.Empty(diff.NewlyDenied);
        Assert.Empty(diff.NewlyAllowed);
        Assert.True(diff.Compared >= 6, $"{diff.Compared}");
    }

    [Fact]
    public void Applying_every_fix_newly_allows_exactly_what_was_denied_and_removing_a_rule_names_the_job()
    {
        var report = ViolationFixTests.Run();
        var fixes = report.Violations.Select(v => v.Fix!).ToList();
        static string Line(string fix) => fix["add \"".Length..fix.LastIndexOf("\" to ", StringComparison.Ordinal)];
        var fixedWeb = ViolationFixTests.Web + "\n"
            + string.Concat(fixes.Where(f => f.Contains("to egress", StringComparison.Ordinal)).Select(f => $"  {Line(f)}\n"))
            + "dns:\n" + string.Concat(fixes.Where(f => f.Contains("to dns", StringComparison.Ordinal)).Select(f => $"  {Line(f)}\n"));

        var diff = ProfileDiff.Compare(Load(ViolationFixTests.Web), Load(fixedWeb), [report]);

        Assert.Empty(diff.NewlyDenied);
        Assert.Equal(
            ["DNS query API.example.test.", "connection to 198.18.0.20:8443/tcp (api.example.test)", "connection to 198.18.0.66:9000/tcp (no name)",
             "connection to fd00:b5e:1ab::66:5000/udp (no name)"],
            diff.NewlyAllowed.Select(i => i.What));
        Assert.All(diff.NewlyAllowed, i => Assert.Equal([report.JobId], i.Jobs));

        var back = ProfileDiff.Compare(Load(fixedWeb), Load(ViolationFixTests.Web), [report]);
        Assert.Equal(diff.NewlyAllowed.Select(i => i.What), back.NewlyDenied.Select(i => i.What));
        Assert.All(back.NewlyDenied, i => Assert.StartsWith("allowed by '", i.Before, StringComparison.Ordinal));
    }

    private static ResolvedProfile Load(string web)
    {
        var loaded = ProfileLoader.Load([new ProfileText("profiles/tools.yaml", ViolationFixTests.Tools), new ProfileText("profiles/web.yaml", web)]);
        Assert.Empty(loaded.Diagnostics);
        return loaded.Profiles.Find("web")!;
    }
}
