using BuildSentry.Core.Events;

namespace BuildSentry.Core.Network;

/// <summary>An outbound TCP SYN (or the first packet of a new outbound UDP flow, see <see cref="UdpFlowStarted"/>).</summary>
public sealed record ConnectionAttempted(DateTimeOffset Time, FlowKey Flow, FlowAttribution Attribution) : SensorEvent(Time);

public sealed record UdpFlowStarted(DateTimeOffset Time, FlowKey Flow, FlowAttribution Attribution) : SensorEvent(Time);

/// <summary>A DNS question sent by the build. <see cref="Name"/> is normalised (lowercase, escaped).</summary>
public sealed record DnsQueryObserved(DateTimeOffset Time, FlowKey Flow, int Id, string Name, int QueryType, FlowAttribution Attribution)
    : SensorEvent(Time);

/// <summary>A DNS response to the build; <see cref="Flow"/> is oriented client to server, like its query.</summary>
public sealed record DnsAnswerObserved(DateTimeOffset Time, FlowKey Flow, int Id, string QueryName, IReadOnlyList<DnsRecord> Answers, ulong NetworkNamespace)
    : SensorEvent(Time);

public sealed record TlsServerNameObserved(DateTimeOffset Time, FlowKey Flow, string ServerName, FlowAttribution Attribution) : SensorEvent(Time);

public sealed record HttpHostObserved(DateTimeOffset Time, FlowKey Flow, string Host, FlowAttribution Attribution) : SensorEvent(Time);
