using System.CommandLine;
using BuildSentry.Core.Evidence;
using BuildSentry.Core.Profiles;

namespace BuildSentry.Cli;

/// <summary>
/// <c>buildsentry profile suggest REPORT|DIR... [--name NAME] [--match SELECTOR]... [--extends auto|none|LIST]</c>: the
/// least profile that allows what audit-mode job reports show, as YAML on standard output.
/// </summary>
internal static class ProfileSuggestCommand
{
    public static Command Create()
    {
        var reports = new Argument<string[]>("reports") { Description = "Job report files (.json) or directories of them.", Arity = ArgumentArity.OneOrMore };
        var name = new Option<string?>("--name") { Description = "The profile's name (default: from the reports' repository, else 'suggested')." };
        var match = new Option<string[]>("--match")
        {
            Description = "A match selector as written in a profile, e.g. \"{ ci: github, repository: acme/web }\"; repeatable. Only the reports of jobs it selects are read. Default: the ci, repository and workflow all the reports share.",
            AllowMultipleArgumentsPerToken = false,
        };
        var extends = new Option<string>("--extends")
        {
            Description = "auto: extend the loaded profiles that already allow what was seen (and those that only deny processes); none; or a comma-separated list of profile names.",
            DefaultValueFactory = _ => "auto",
        };
        var profiles = new Option<string[]>("--profiles")
        {
            Description = "The profiles to extend and to check denied processes against (files or directories; default: the daemon's profiles directory).",
            AllowMultipleArgumentsPerToken = true,
        };
        var threshold = new Option<int>("--wildcard-threshold")
        {
            Description = "Distinct subdomains of one registrable domain that make a wildcard (never over a public suffix); 0 never suggests one.",
            DefaultValueFactory = _ => SuggestOptions.DefaultWildcardThreshold,
        };
        threshold.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or 1)
            {
                r.AddError("--wildcard-threshold must be 0 (no wildcards) or at least 2");
            }
        });
        var suffixes = new Option<string>("--public-suffix-list")
        {
            Description = $"The Public Suffix List (default {PublicSuffixList.DebianPath}, from Debian's publicsuffix package).",
            DefaultValueFactory = _ => PublicSuffixList.DebianPath,
        };
        var config = ConfiguredProfiles.ConfigOption();
        var command = new Command("suggest", "Print a profile (YAML) that allows what the job reports show and nothing more, each rule with its evidence; denied processes that ran are printed as findings. The same reports give the same bytes. Exit codes: 0 suggested, 1 a report or profile could not be read, 2 usage error.")
        {
            reports, name, match, extends, profiles, threshold, suffixes, config,
        };
        command.SetAction(parseResult => new ProfileSuggestRun(
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error,
            parseResult.GetRequiredValue(reports),
            parseResult.GetValue(name),
            parseResult.GetValue(match) ?? [],
            parseResult.GetValue(extends)!,
            parseResult.GetValue(profiles),
            parseResult.GetValue(threshold),
            parseResult.GetValue(suffixes)!,
            parseResult.GetValue(config)).Execute());
        return command;
    }
}
