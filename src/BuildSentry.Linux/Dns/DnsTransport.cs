namespace BuildSentry.Linux.Dns;

/// <summary>How a query reached the forwarder; it goes upstream the same way.</summary>
public enum DnsTransport
{
    Udp,
    Tcp,
}
