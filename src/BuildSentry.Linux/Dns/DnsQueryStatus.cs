namespace BuildSentry.Linux.Dns;

internal enum DnsQueryStatus
{
    /// <summary>A standard query with one question: the policy decides it.</summary>
    Query,

    /// <summary>Shorter than a header, or a response: answering could start a loop between two servers, so it is dropped.</summary>
    Dropped,

    /// <summary>A readable header, but the question section does not parse or holds other than one question: FORMERR.</summary>
    Malformed,

    /// <summary>An opcode other than QUERY (NOTIFY, UPDATE, ...): NOTIMP, and nothing goes upstream.</summary>
    NotImplemented,
}
