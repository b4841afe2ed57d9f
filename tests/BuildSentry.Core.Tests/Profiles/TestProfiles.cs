using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Tests.Profiles;

internal static class TestProfiles
{
    public static ResolvedProfile Single(string yaml, string source = "test.yaml")
    {
        var result = ProfileLoader.Load(source, yaml);
        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Diagnostics));
        return Assert.Single(result.Profiles.Profiles);
    }

    public static ProfileSet Set(params (string Source, string Yaml)[] files)
    {
        var result = ProfileLoader.Load(files.Select(f => new ProfileText(f.Source, f.Yaml)));
        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Diagnostics));
        return result.Profiles;
    }

    public static IReadOnlyList<ProfileDiagnostic> Errors(string yaml, string source = "bad.yaml") =>
        ProfileLoader.Load(source, yaml).Diagnostics;
}
