using BuildSentry.Core.Profiles.Yaml;

namespace BuildSentry.Core.Profiles;

// match:
internal sealed partial class ProfileParser
{
    private static readonly string[] MatchKeys = ["ci", "repository", "workflow", "job", "runner"];

    private static readonly Dictionary<string, CiSystem> CiSystems = new(StringComparer.Ordinal)
    {
        ["github"] = CiSystem.GitHub,
        ["gitlab"] = CiSystem.GitLab,
        ["jenkins"] = CiSystem.Jenkins,
        ["buildkite"] = CiSystem.Buildkite,
        ["azure"] = CiSystem.Azure,
    };

    private void ParseMatch(YNode node)
    {
        var entries = node is YSequence sequence ? sequence.Items : [node];
        foreach (var entry in entries)
        {
            if (ExpectMapping(entry, "match", "e.g. 'match: { ci: github, repository: \"acme/*\" }'") is { } mapping)
            {
                ParseSelector(mapping);
            }
        }
    }

    private void ParseSelector(YMapping mapping)
    {
        CheckKeys(mapping, MatchKeys, "match");
        if (!mapping.Entries.Any(e => MatchKeys.Contains(e.Key.Value, StringComparer.Ordinal)))
        {
            Error(mapping, "the match entry sets no field, so it would match every job", $"set at least one of {string.Join(", ", MatchKeys)}; jobs nothing matches get the default profile");
            return;
        }

        var valid = true;
        CiSystem? ci = null;
        if (mapping["ci"] is { } ciNode && ExpectString(ciNode, "ci") is { } ciText)
        {
            if (CiSystems.TryGetValue(ciText, out var system))
            {
                ci = system;
            }
            else
            {
                Error(ciNode, $"'{Printable.Of(ciText)}' is not a CI system", Suggestions.Hint(ciText, CiSystems.Keys));
                valid = false;
            }
        }

        var repository = ParseGlob(mapping, "repository", ref valid);
        var workflow = ParseGlob(mapping, "workflow", ref valid);
        var job = ParseGlob(mapping, "job", ref valid);
        var runner = ParseGlob(mapping, "runner", ref valid);
        if (!valid || mapping["ci"] is not null && ci is null)
        {
            return;
        }

        var selector = new JobSelector(ci, repository, workflow, job, runner, Reference(mapping, ""));
        _profile.Match.Add(selector with { Reference = Reference(mapping, selector.ToString()) });
    }

    private Glob? ParseGlob(YMapping mapping, string key, ref bool valid)
    {
        if (mapping[key] is not { } node)
        {
            return null;
        }

        if (ExpectString(node, key) is { } pattern)
        {
            return new Glob(pattern);
        }

        valid = false;
        return null;
    }
}
