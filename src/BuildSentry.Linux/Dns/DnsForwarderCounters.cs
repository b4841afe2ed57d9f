namespace BuildSentry.Linux.Dns;

/// <summary>Totals since the forwarder started; read from any thread.</summary>
public sealed class DnsForwarderCounters
{
    internal long QueriesValue;
    internal long ForwardedValue;
    internal long RefusedValue;
    internal long MalformedValue;
    internal long UpstreamTimeoutsValue;
    internal long UpstreamErrorsValue;
    internal long OverloadedValue;
    internal long RejectedConnectionsValue;

    /// <summary>Every message received: UDP datagrams and TCP frames, malformed ones included.</summary>
    public long Queries => Interlocked.Read(ref QueriesValue);

    /// <summary>Queries sent to an upstream resolver.</summary>
    public long Forwarded => Interlocked.Read(ref ForwardedValue);

    /// <summary>Queries the policy refused (REFUSED or NXDOMAIN) and non-QUERY opcodes (NOTIMP).</summary>
    public long Refused => Interlocked.Read(ref RefusedValue);

    /// <summary>Messages answered FORMERR, and those dropped unanswered: shorter than a header, or responses.</summary>
    public long Malformed => Interlocked.Read(ref MalformedValue);

    /// <summary>Forwarded queries the upstream did not answer in time (SERVFAIL).</summary>
    public long UpstreamTimeouts => Interlocked.Read(ref UpstreamTimeoutsValue);

    /// <summary>Forwarded queries whose upstream refused the connection, closed it or sent an unreadable answer (SERVFAIL).</summary>
    public long UpstreamErrors => Interlocked.Read(ref UpstreamErrorsValue);

    /// <summary>Queries answered SERVFAIL because <see cref="DnsForwarderOptions.MaxInFlight"/> were already waiting.</summary>
    public long Overloaded => Interlocked.Read(ref OverloadedValue);

    /// <summary>TCP connections closed on accept because <see cref="DnsForwarderOptions.MaxTcpConnections"/> were open.</summary>
    public long RejectedConnections => Interlocked.Read(ref RejectedConnectionsValue);

    /// <summary>Time the forwarder adds to each relayed answer: receipt to reply, less the upstream round trip.</summary>
    public DnsLatencyRecorder AddedLatency { get; } = new();
}
