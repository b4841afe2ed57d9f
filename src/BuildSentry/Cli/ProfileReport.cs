using System.Text;
using BuildSentry.Core.Profiles;

namespace BuildSentry.Cli;

/// <summary>How <c>check</c> describes profiles: one summary line each, or every effective rule of one.</summary>
internal static class ProfileReport
{
    public static string SummaryLine(ResolvedProfile profile, bool isDefault)
    {
        var line = new StringBuilder()
            .Append("ok ").Append(profile.Name).Append(isDefault ? " (default)" : "")
            .Append(" [").Append(profile.Source).Append("]: ")
            .Append(CheckRun.Plural(profile.EgressRules.Count, "egress rule"))
            .Append(" (").Append(profile.OwnEgressRuleCount).Append(" own), ")
            .Append(CheckRun.Plural(profile.DnsRules.Count, "dns name")).Append(", ")
            .Append(CheckRun.Plural(profile.DeniedProcesses.Count, "denied process", "denied processes"))
            .Append(", mode ").Append(profile.Mode?.ToString().ToLowerInvariant() ?? "default");
        if (profile.Extends.Count > 0)
        {
            line.Append(", extends ").Append(string.Join(", ", profile.Extends));
        }

        line.Append(profile.Selectors.Count == 0
            ? ", no match"
            : ", match " + string.Join(" | ", profile.Selectors.Select(s => s.ToString())));
        return line.ToString();
    }

    public static int Write(TextWriter output, ResolvedProfile profile)
    {
        output.WriteLine($"profile {profile.Name} [{profile.Source}:{profile.Line}:{profile.Column}]");
        output.WriteLine($"  description: {profile.Description}");
        output.WriteLine($"  mode: {profile.Mode?.ToString().ToLowerInvariant() ?? "default"}");
        if (profile.Ancestors.Count > 0)
        {
            output.WriteLine($"  inherits: {string.Join(", ", profile.Ancestors)}");
        }

        WriteRules(output, "egress", profile.EgressRules.Select(r => r.Reference));
        WriteRules(output, "dns", profile.DnsRules.Select(r => r.Reference));
        WriteRules(output, "processes.deny", profile.DeniedProcesses.Select(r => r.Reference));
        WriteRules(output, "match", profile.Selectors.Select(s => s.Reference));
        return ExitCodes.Success;
    }

    private static void WriteRules(TextWriter output, string title, IEnumerable<RuleReference> rules)
    {
        var list = rules.ToList();
        output.WriteLine($"  {title}:{(list.Count == 0 ? " (none)" : "")}");
        foreach (var rule in list)
        {
            output.WriteLine($"    {rule.Text}  ({rule.Profile}, {rule.Location})");
        }
    }
}
