using BuildSentry.Core.Events;

namespace BuildSentry.Core.Network;

/// <summary>What the capture thread reports about a flow; judged in capture order (DNS answers name the addresses of later connections).</summary>
public abstract record NetworkObservation(DateTimeOffset Time, FlowKey Flow) : SensorEvent(Time);

/// <summary>A network observation made by a process of the machine: judged against its job's profile.</summary>
public abstract record NetworkFinding(DateTimeOffset Time, FlowKey Flow, FlowAttribution Attribution) : NetworkObservation(Time, Flow);

/// <summary>An outbound TCP SYN (or the first packet of a new outbound UDP flow, see <see cref="UdpFlowStarted"/>).</summary>
public sealed record ConnectionAttempted(DateTimeOffset Time, FlowKey Flow, FlowAttribution Attribution) : NetworkFinding(Time, Flow, Attribution);

/// <summary>A job's connect or send (TCP or UDP, by <see cref="FlowKey.Protocol"/>) that the kernel refused with EPERM
/// in prevent mode, before any packet left: the destination was not on the job's allowlist.</summary>
public sealed record ConnectionPrevented(DateTimeOffset Time, FlowKey Flow, FlowAttribution Attribution) : NetworkFinding(Time, Flow, Attribution)
{
    /// <summary>A UDP connect, which sends nothing: glibc's getaddrinfo connects a UDP socket to every address it
    /// sorts. Refused all the same (a connected socket's datagrams pass no later check), reported, not alerted.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool UdpConnectOnly { get; init; }
}

public sealed record UdpFlowStarted(DateTimeOffset Time, FlowKey Flow, FlowAttribution Attribution) : NetworkFinding(Time, Flow, Attribution);

/// <summary>A DNS question sent by the build. <see cref="Name"/> is normalised (lowercase, escaped).</summary>
public sealed record DnsQueryObserved(DateTimeOffset Time, FlowKey Flow, int Id, string Name, int QueryType, FlowAttribution Attribution)
    : NetworkFinding(Time, Flow, Attribution)
{
    /// <summary>Prevent mode's DNS forwarder refused the query (the name is off the job's profile): no packet for it
    /// left the host. Left out of traces when false.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool Prevented { get; init; }
}

/// <summary>A DNS response to the build; <see cref="NetworkObservation.Flow"/> is oriented client to server, like its query.</summary>
public sealed record DnsAnswerObserved(DateTimeOffset Time, FlowKey Flow, int Id, string QueryName, IReadOnlyList<DnsRecord> Answers, ulong NetworkNamespace)
    : NetworkObservation(Time, Flow);

public sealed record TlsServerNameObserved(DateTimeOffset Time, FlowKey Flow, string ServerName, FlowAttribution Attribution)
    : NetworkFinding(Time, Flow, Attribution);

public sealed record HttpHostObserved(DateTimeOffset Time, FlowKey Flow, string Host, FlowAttribution Attribution)
    : NetworkFinding(Time, Flow, Attribution);
