namespace BuildSentry.Doctor;

/// <summary>
/// The little of a GitLab Runner config.toml that doctor reads: each <c>[[runners]]</c> table's name and its
/// pre/post build scripts, as basic or literal strings, single-line or multi-line. Not a TOML parser: a value it
/// cannot read counts as absent, which doctor reports as a hook not configured.
/// </summary>
internal sealed record GitLabRunnerConfig(string Name, string? PreBuildScript, string? PostBuildScript)
{
    public static IReadOnlyList<GitLabRunnerConfig> Parse(string toml)
    {
        var runners = new List<GitLabRunnerConfig>();
        var lines = toml.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        Dictionary<string, string>? current = null;
        // False inside a runner's sub-tables ([runners.docker]...), whose keys are not the runner's.
        var top = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.StartsWith('['))
            {
                if (line == "[[runners]]")
                {
                    Add(runners, current);
                    current = new Dictionary<string, string>(StringComparer.Ordinal);
                    top = true;
                }
                else if (line.StartsWith("[runners.", StringComparison.Ordinal) || line.StartsWith("[[runners.", StringComparison.Ordinal))
                {
                    top = false;
                }
                else
                {
                    Add(runners, current);
                    current = null;
                }

                continue;
            }

            if (current is null || !top || line.IndexOf('=') is not (> 0 and var eq))
            {
                continue;
            }

            var value = line[(eq + 1)..].Trim();
            foreach (var quote in new[] { "\"\"\"", "'''" })
            {
                if (value.StartsWith(quote, StringComparison.Ordinal) && (value.Length < 6 || !value.EndsWith(quote, StringComparison.Ordinal)))
                {
                    while (++i < lines.Length && !lines[i].Contains(quote, StringComparison.Ordinal))
                    {
                        value += "\n" + lines[i];
                    }

                    value += i < lines.Length ? "\n" + lines[i] : "";
                }
            }

            current[line[..eq].Trim()] = value.Trim('"', '\'', ' ', '\n');
        }

        Add(runners, current);
        return runners;
    }

    private static void Add(List<GitLabRunnerConfig> runners, Dictionary<string, string>? table)
    {
        if (table is not null)
        {
            runners.Add(new GitLabRunnerConfig(table.GetValueOrDefault("name") ?? "(unnamed)", table.GetValueOrDefault("pre_build_script"),
                table.GetValueOrDefault("post_build_script")));
        }
    }
}
