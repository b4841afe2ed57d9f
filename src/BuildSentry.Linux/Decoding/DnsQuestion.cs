namespace BuildSentry.Linux.Decoding;

/// <summary>One question: <paramref name="Name"/> is lowercased, without the trailing dot, escaped as in presentation format.</summary>
internal sealed record DnsQuestion(string Name, DnsWireType Type);
