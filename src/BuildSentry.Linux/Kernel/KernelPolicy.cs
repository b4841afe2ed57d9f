using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Kernel;

/// <summary>
/// Prevent mode in the kernel (policy.h): per job slot, whether its connects and sends are held to an allowlist, the
/// allowlist itself, and where its DNS goes instead of the server it asked. A prevent-mode job's connect or send to a
/// destination the allowlist lacks fails with EPERM before a packet leaves, and is reported as a
/// <see cref="Core.Network.ConnectionPrevented"/>.
/// </summary>
public sealed unsafe class KernelPolicy
{
    /// <summary>Port ranges an allowlist entry holds at most; more are refused (<see cref="Allow"/>).</summary>
    public const int MaxRanges = 8;

    private const uint ModePrevent = 1;
    private const uint ModeKill = 2;
    private const uint TcpBit = 1;
    private const uint UdpBit = 2;
    private readonly int _policiesFd;
    private readonly int _allowedFd;
    private readonly int _originsFd;
    private readonly int _namespacesFd;
    private readonly int _clientsFd;

    internal KernelPolicy(int policiesFd, int allowedFd, int originsFd, int namespacesFd, int clientsFd)
    {
        _clientsFd = clientsFd;
        _policiesFd = policiesFd;
        _allowedFd = allowedFd;
        _originsFd = originsFd;
        _namespacesFd = namespacesFd;
    }

    /// <summary>Says that the forwarder listens in network namespace <paramref name="inode"/> (the inode of
    /// /proc/PID/ns/net): held jobs there stop asking for one.</summary>
    public void ForwarderListens(uint inode)
    {
        var key = inode;
        var listening = 1u;
        Check(Libbpf.MapUpdate(_namespacesFd, &key, &listening, 0), $"marking network namespace {inode}'s forwarder");
    }

    /// <summary>Forgets network namespace <paramref name="inode"/>: the next exec or DNS query of a held job there asks
    /// for a forwarder again.</summary>
    public void ForgetNamespace(uint inode)
    {
        var key = inode;
        Libbpf.MapDelete(_namespacesFd, &key);
    }

    /// <summary>The DNS server a redirected socket asked (by its cookie, as sock_diag reports it); null for a socket
    /// whose DNS was never redirected.</summary>
    public IPEndPoint? DnsOrigin(ulong cookie)
    {
        DnsOriginValue origin;
        if (Libbpf.MapLookup(_originsFd, &cookie, &origin) != 0)
        {
            return null;
        }

        var port = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(origin.Port);
        var address = origin.Family == 2 ? new IPAddress(new ReadOnlySpan<byte>(origin.Address, 4)) : new IPAddress(new ReadOnlySpan<byte>(origin.Address, 16));
        return new IPEndPoint(address, port);
    }

    /// <summary>The cookie of the UDP socket whose DNS datagram the kernel redirected from <paramref name="port"/> in
    /// network namespace <paramref name="netns"/>, also once that socket has closed (a process that sends one query and
    /// exits); null when no redirected datagram came from there. The newest sender from that port wins.</summary>
    public ulong? DnsClient(uint netns, AddressFamily family, int port)
    {
        var key = new DnsClientKey
        {
            Netns = netns,
            Family = (ushort)(family == AddressFamily.InterNetworkV6 ? 10 : 2),
            Port = (ushort)port,
        };
        ulong cookie;
        return Libbpf.MapLookup(_clientsFd, &key, &cookie) == 0 ? cookie : null;
    }

    /// <summary>Holds the job to its allowlist from now on; its DNS goes to <paramref name="dnsForwarderPort"/> on
    /// <paramref name="dnsForwarderV4"/> (IPv4 sockets, and dual-stack ones asking an IPv4 server) or
    /// <paramref name="dnsForwarderV6"/>, or is refused as any destination off the list when the port is 0. With
    /// <paramref name="killCaller"/> (kill mode) the process whose connect or send is refused is killed in the same
    /// instant (SIGKILL from the hook).</summary>
    public void Prevent(uint slot, int dnsForwarderPort, IPAddress dnsForwarderV4, IPAddress dnsForwarderV6, bool killCaller = false)
    {
        ArgumentOutOfRangeException.ThrowIfZero(slot);
        ArgumentOutOfRangeException.ThrowIfNegative(dnsForwarderPort);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dnsForwarderPort, ushort.MaxValue);
        if (dnsForwarderV4.AddressFamily != AddressFamily.InterNetwork || dnsForwarderV6.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw new ArgumentException("the forwarder needs one IPv4 and one IPv6 address");
        }

        var policy = new JobPolicy { Mode = killCaller ? ModeKill : ModePrevent, DnsPort = (ushort)dnsForwarderPort };
        dnsForwarderV4.TryWriteBytes(new Span<byte>(&policy.DnsIp4, 4), out _);
        dnsForwarderV6.TryWriteBytes(new Span<byte>(policy.DnsIp6, 16), out _);
        var key = slot;
        Check(Libbpf.MapUpdate(_policiesFd, &key, &policy, 0), $"setting job slot {slot}'s policy");
    }

    /// <summary>Allows the job <paramref name="network"/>/<paramref name="prefixLength"/> for the protocols and port
    /// ranges given (no range: every port), until <paramref name="expiresNs"/> (CLOCK_MONOTONIC; 0: for the job's
    /// life). The longest prefix decides alone: an entry must hold every rule that covers it.</summary>
    public void Allow(uint slot, IPAddress network, int prefixLength, bool tcp, bool udp, IReadOnlyList<(int First, int Last)> ports,
        ulong expiresNs = 0)
    {
        ArgumentOutOfRangeException.ThrowIfZero(slot);
        if (ports.Count > MaxRanges)
        {
            throw new ArgumentException($"an allowlist entry holds at most {MaxRanges} port ranges, not {ports.Count}", nameof(ports));
        }

        var v4 = network.AddressFamily == AddressFamily.InterNetwork;
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, v4 ? 32 : 128);
        var key = Key(slot, network, 32 + (v4 ? 96 : 0) + prefixLength);
        var value = new AllowValue { ExpiresNs = expiresNs, Protocols = (tcp ? TcpBit : 0) | (udp ? UdpBit : 0), Count = (uint)ports.Count };
        for (var i = 0; i < ports.Count; i++)
        {
            var (first, last) = ports[i];
            if (first < 0 || last > ushort.MaxValue || first > last)
            {
                throw new ArgumentException($"{first}-{last} is not a port range", nameof(ports));
            }

            value.Ranges[2 * i] = (ushort)first;
            value.Ranges[2 * i + 1] = (ushort)last;
        }

        Check(Libbpf.MapUpdate(_allowedFd, &key, &value, 0), $"allowing {network}/{prefixLength} for job slot {slot}");
    }

    /// <summary>As <see cref="Allow(uint, IPAddress, int, bool, bool, IReadOnlyList{ValueTuple{int, int}}, ulong)"/>, for
    /// <paramref name="lifetime"/> from now.</summary>
    public void Allow(uint slot, IPAddress network, int prefixLength, bool tcp, bool udp, IReadOnlyList<(int First, int Last)> ports,
        TimeSpan lifetime) =>
        Allow(slot, network, prefixLength, tcp, udp, ports, MonotonicClock.NowNs() + (ulong)lifetime.Ticks * 100);

    /// <summary>Ends the job's policy and empties its allowlist.</summary>
    public void Clear(uint slot)
    {
        var policyKey = slot;
        Libbpf.MapDelete(_policiesFd, &policyKey);
        var mine = new List<AllowKey>();
        AllowKey current, next;
        var first = true;
        while (Libbpf.MapGetNextKey(_allowedFd, first ? null : &current, &next) == 0)
        {
            first = false;
            current = next;
            if (next.Slot == slot)
            {
                mine.Add(next);
            }
        }

        foreach (var key in mine)
        {
            var k = key;
            Libbpf.MapDelete(_allowedFd, &k);
        }
    }

    private static AllowKey Key(uint slot, IPAddress network, int prefixLength)
    {
        var key = new AllowKey { PrefixLength = (uint)prefixLength, Slot = slot };
        var mapped = network.AddressFamily == AddressFamily.InterNetwork ? network.MapToIPv6() : network;
        mapped.TryWriteBytes(new Span<byte>(key.Address, 16), out _);
        return key;
    }

    private static void Check(int result, string what)
    {
        if (result != 0)
        {
            throw new InvalidOperationException($"{what} failed: errno {Libbpf.Errno(result)}");
        }
    }

    /// <summary>struct job_policy.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct JobPolicy
    {
        public uint Mode;
        public ushort DnsPort;
        public ushort Zero;
        public uint DnsIp4;
        public fixed byte DnsIp6[16];
    }

    /// <summary>struct dns_origin: port in network byte order.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct DnsOriginValue
    {
        public ushort Family;
        public ushort Port;
        public ushort ViaPort;
        public ushort Zero;
        public fixed byte Address[16];
    }

    /// <summary>struct dns_client: port in host byte order.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct DnsClientKey
    {
        public uint Netns;
        public ushort Family;
        public ushort Port;
    }

    /// <summary>struct allow_key.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct AllowKey
    {
        public uint PrefixLength;
        public uint Slot;
        public fixed byte Address[16];
    }

    /// <summary>struct allow_value: ranges as first, last pairs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct AllowValue
    {
        public ulong ExpiresNs;
        public uint Protocols;
        public uint Count;
        public fixed ushort Ranges[2 * MaxRanges];
    }
}
