namespace BuildSentry.Core.Profiles;

/// <summary>
/// Where a rule was written: reports and alerts quote it so a reader can find the line in git.
/// </summary>
/// <param name="Profile">The profile that declares the rule (not the one that inherited it).</param>
/// <param name="Text">The rule as written, e.g. <c>*.githubusercontent.com</c> or <c>cidr 10.0.0.0/8 ports 443</c>.</param>
public sealed record RuleReference(string Profile, string Source, int Line, int Column, string Text)
{
    public string Location => $"{Source}:{Line}:{Column}";

    public override string ToString() => $"'{Text}' of profile '{Profile}' ({Location})";
}
