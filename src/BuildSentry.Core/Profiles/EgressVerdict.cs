namespace BuildSentry.Core.Profiles;

/// <summary>
/// The answer to "may the job do this?": the rule that allowed it, or a sentence saying why nothing did.
/// On a denial, <see cref="Rule"/> is the rule that matched the destination but not its port or
/// protocol, if there was one.
/// </summary>
public sealed record EgressVerdict(bool Allowed, RuleReference? Rule, string Reason)
{
    public static EgressVerdict Allow(RuleReference rule, string reason) => new(true, rule, reason);

    public static EgressVerdict Deny(string reason, RuleReference? nearMiss = null) => new(false, nearMiss, reason);

    public override string ToString() => (Allowed ? "allowed: " : "denied: ") + Reason;
}
