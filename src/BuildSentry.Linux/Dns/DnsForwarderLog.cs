using System.Net;
using BuildSentry.Linux.Decoding;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Linux.Dns;

/// <summary>
/// The forwarder's log lines. Names come from the parser, already escaped; per-query lines are Debug because a job
/// controls how many queries it sends, and the counters carry the totals.
/// </summary>
internal static partial class DnsForwarderLog
{
    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "DNS forwarder listening on {Address}: UDP port {UdpPort}, TCP port {TcpPort}")]
    public static partial void Listening(ILogger logger, IPAddress address, int udpPort, int tcpPort);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Debug, Message = "Refused {Name} {Type} from {Client} ({Transport}) with {ResponseCode}: {Reason}")]
    public static partial void Refused(ILogger logger, string name, DnsWireType type, IPEndPoint client, DnsTransport transport, DnsResponseCode responseCode, string? reason);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Debug, Message = "Upstream {Upstream} did not answer {Name} {Type} ({Transport}) within {TimeoutMs} ms; answered SERVFAIL")]
    public static partial void UpstreamTimedOut(ILogger logger, IPEndPoint upstream, string name, DnsWireType type, DnsTransport transport, double timeoutMs);

    [LoggerMessage(EventId = 8004, Level = LogLevel.Debug, Message = "Upstream {Upstream} failed for {Name} {Type} ({Transport}): {Error}; answered SERVFAIL")]
    public static partial void UpstreamFailed(ILogger logger, IPEndPoint upstream, string name, DnsWireType type, DnsTransport transport, string error);

    [LoggerMessage(EventId = 8005, Level = LogLevel.Error, Message = "The DNS policy failed on {Name} {Type} from {Client}; answered SERVFAIL")]
    public static partial void PolicyFailed(ILogger logger, Exception exception, string name, DnsWireType type, IPEndPoint client);

    [LoggerMessage(EventId = 8006, Level = LogLevel.Warning, Message = "The DNS forwarder's {Transport} listener failed to receive: {Error}")]
    public static partial void ReceiveFailed(ILogger logger, DnsTransport transport, string error);

    [LoggerMessage(EventId = 8007, Level = LogLevel.Error, Message = "A DNS query from {Client} ({Transport}) failed unexpectedly")]
    public static partial void QueryFailed(ILogger logger, Exception exception, IPEndPoint client, DnsTransport transport);
}
