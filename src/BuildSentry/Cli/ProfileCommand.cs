using System.CommandLine;

namespace BuildSentry.Cli;

/// <summary><c>buildsentry profile</c>: profiles from evidence, for the people who maintain them.</summary>
internal static class ProfileCommand
{
    public static Command Create() => new("profile", "Suggest a profile from audit-mode job reports, and replay job reports against a proposed profile.")
    {
        ProfileSuggestCommand.Create(),
        ProfileDiffCommand.Create(),
    };
}
