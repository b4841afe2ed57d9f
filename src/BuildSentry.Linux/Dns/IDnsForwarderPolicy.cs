namespace BuildSentry.Linux.Dns;

/// <summary>Decides each query the forwarder receives and learns every answer before the client does.</summary>
public interface IDnsForwarderPolicy
{
    /// <summary>Called once per well-formed query, on the receiving thread: keep it quick and non-blocking.</summary>
    DnsDecision Decide(DnsQueryContext query);

    /// <summary>
    /// Called with the A and AAAA records of an upstream answer (possibly none) before the answer is relayed: the
    /// client cannot learn an address until this completes, so an allowlist filled here is in place before it can
    /// connect. A throw turns the reply into SERVFAIL.
    /// </summary>
    ValueTask AnsweredAsync(DnsQueryContext query, IReadOnlyList<DnsAddressAnswer> answers, CancellationToken cancellationToken);
}
