using System.Net;

namespace BuildSentry.Linux.Dns;

public sealed record DnsForwarderOptions
{
    /// <summary>The address both the UDP and the TCP listener bind.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The port for both listeners; 0 picks a free one (the same number for UDP and TCP where it can).</summary>
    public int Port { get; init; }

    /// <summary>Binds the address even where it is not configured yet: a new network namespace's loopback before it is
    /// brought up. The listeners receive from the moment it is.</summary>
    public bool FreeBind { get; init; }

    /// <summary>How long a forwarded query waits for its upstream answer before the client gets SERVFAIL.</summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Forwarded queries waiting for an answer at once; each holds a socket and up to 64 KiB. Beyond it, SERVFAIL.</summary>
    public int MaxInFlight { get; init; } = 256;

    /// <summary>Open client TCP connections; each holds a 64 KiB frame buffer. A connection beyond it is closed at once.</summary>
    public int MaxTcpConnections { get; init; } = 64;

    /// <summary>How long a TCP client may take to send its next whole query (or read a reply) before it is closed.</summary>
    public TimeSpan TcpIdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(ListenAddress);
        ArgumentOutOfRangeException.ThrowIfNegative(Port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, IPEndPoint.MaxPort);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(UpstreamTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(TcpIdleTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInFlight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTcpConnections, 1);
    }
}
