using System.CommandLine;

namespace BuildSentry.Cli;

/// <summary>
/// <c>buildsentry profile diff PROFILE-PATHS... --profile NAME --against REPORT|DIR... [--current PATH...]</c>: what a
/// proposed profile would newly deny or allow, replayed from past job reports. The check for a pull request that changes
/// a profile.
/// </summary>
internal static class ProfileDiffCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "The proposed profiles: files or directories (searched recursively for *.yaml and *.yml).", Arity = ArgumentArity.OneOrMore };
        var profile = new Option<string>("--profile") { Description = "The profile to compare, by name (in the proposed and in the current set).", Required = true };
        var against = new Option<string[]>("--against")
        {
            Description = "Job report files (.json) or directories of them to replay.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var current = new Option<string[]>("--current")
        {
            Description = "The profiles in force now, to compare with (files or directories; default: the daemon's profiles directory). In CI: a checkout of the target branch's profiles.",
            AllowMultipleArgumentsPerToken = true,
        };
        var config = ConfiguredProfiles.ConfigOption();
        var command = new Command("diff", "Replay the destinations, DNS names and executables of past job reports against the current and the proposed profile, and print what would newly be denied (with the jobs and the rule that allowed it) and newly allowed. Exit codes: 0 nothing newly denied, 1 something newly denied (or a profile or report cannot be read), 2 usage error.")
        {
            paths, profile, against, current, config,
        };
        command.SetAction(parseResult => new ProfileDiffRun(
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error,
            parseResult.GetRequiredValue(paths),
            parseResult.GetRequiredValue(profile),
            parseResult.GetRequiredValue(against),
            parseResult.GetValue(current),
            parseResult.GetValue(config)).Execute());
        return command;
    }
}
