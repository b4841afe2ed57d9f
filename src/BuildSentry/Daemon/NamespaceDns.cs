using System.Net;
using System.Net.Sockets;
using BuildSentry.Linux.Attribution;
using BuildSentry.Linux.Dns;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Daemon;

/// <summary>
/// Prevent mode's DNS in one network namespace: the forwarder's listeners on that namespace's 127.0.0.1 and ::1 (where
/// the kernel sends a held job's queries) and a sock_diag socket there, since a flow is found only from inside its own
/// namespace. Made in the namespace (<see cref="Linux.Interop.NetworkNamespace.RunIn"/>) or in the daemon's own.
/// </summary>
internal sealed class NamespaceDns : IDnsForwarderPolicy, IAsyncDisposable
{
    private readonly PreventModeDns _policy;
    private readonly List<DnsForwarder> _forwarders = [];

    private NamespaceDns(PreventModeDns policy, uint inode)
    {
        _policy = policy;
        Inode = inode;
    }

    public uint Inode { get; }

    public SocketCookies Cookies { get; } = new();

    /// <summary>The listeners' endpoints: the asking socket's flow runs to one of them.</summary>
    public IPEndPoint[] Listening { get; private set; } = [];

    public IReadOnlyList<DnsForwarder> Forwarders => _forwarders;

    /// <summary>Whether ::1 could not be bound (no IPv6 in the namespace): the job's IPv6 DNS there fails.</summary>
    public string? Ipv6Unavailable { get; private set; }

    /// <summary>IPv6 is off in the namespace (a container's, as Docker makes it): an address the job could never reach
    /// is no answer to give it, or a client that prefers IPv6 fails where the IPv4 one would have worked.</summary>
    public bool Ipv6Off { get; private set; }

    /// <summary>Listens on 127.0.0.1 and ::1 of the calling thread's network namespace at <paramref name="port"/> (0: a
    /// free one). <paramref name="freeBind"/>: a new namespace's loopback may not be up yet.</summary>
    /// <exception cref="SocketException">127.0.0.1 cannot be bound.</exception>
    public static NamespaceDns Open(PreventModeDns policy, uint inode, int port, bool freeBind, ILoggerFactory loggers, TimeProvider time)
    {
        var dns = new NamespaceDns(policy, inode) { Ipv6Off = Ipv6IsOff() };
        try
        {
            var v4 = DnsForwarder.Start(new DnsForwarderOptions { ListenAddress = IPAddress.Loopback, Port = port, FreeBind = freeBind },
                dns, loggers.CreateLogger<DnsForwarder>(), time);
            dns._forwarders.Add(v4);
            try
            {
                dns._forwarders.Add(DnsForwarder.Start(
                    new DnsForwarderOptions { ListenAddress = IPAddress.IPv6Loopback, Port = v4.UdpEndPoint.Port, FreeBind = freeBind },
                    dns, loggers.CreateLogger<DnsForwarder>(), time));
            }
            catch (SocketException ex)
            {
                // The job's IPv6 DNS is redirected to a port nobody listens on, and fails; it never reaches a server unchecked.
                dns.Ipv6Unavailable = ex.Message;
            }

            dns.Listening = [.. dns._forwarders.Select(f => f.UdpEndPoint)];
            return dns;
        }
        catch
        {
            dns.Cookies.Dispose();
            throw;
        }
    }

    public DnsDecision Decide(DnsQueryContext query) => _policy.Decide(query, this);

    /// <summary>Read from the calling thread's namespace: /proc/sys/net shows the reader's own.</summary>
    private static bool Ipv6IsOff()
    {
        try
        {
            return File.ReadAllText("/proc/sys/net/ipv6/conf/all/disable_ipv6").Trim() == "1";
        }
        catch (IOException)
        {
            // No IPv6 in this kernel at all.
            return true;
        }
    }

    public ValueTask AnsweredAsync(DnsQueryContext query, IReadOnlyList<DnsAddressAnswer> answers, CancellationToken cancellationToken) =>
        _policy.AnsweredAsync(query, answers, this);

    public async ValueTask DisposeAsync()
    {
        foreach (var forwarder in _forwarders)
        {
            await forwarder.DisposeAsync();
        }

        Cookies.Dispose();
    }
}
