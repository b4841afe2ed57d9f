namespace BuildSentry.Core.Profiles;

/// <summary>Whether a process may run in the job; when not, <see cref="Rule"/> is the deny entry it hit.</summary>
public sealed record ProcessVerdict(bool Allowed, RuleReference? Rule, string Reason)
{
    public override string ToString() => (Allowed ? "allowed: " : "denied: ") + Reason;
}
