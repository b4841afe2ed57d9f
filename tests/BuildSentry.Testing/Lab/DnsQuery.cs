namespace BuildSentry.Testing.Lab;

/// <summary>A query the lab resolver logged: record type (A, AAAA, TXT...), name and asking client.</summary>
public sealed record DnsQuery(string Type, string Name, string Client);
