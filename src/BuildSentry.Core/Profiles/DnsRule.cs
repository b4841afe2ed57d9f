namespace BuildSentry.Core.Profiles;

/// <summary>A name the job may resolve without being allowed to connect to it.</summary>
public sealed record DnsRule(HostPattern Pattern, RuleReference Reference);
