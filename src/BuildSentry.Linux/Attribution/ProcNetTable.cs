using System.Globalization;
using System.Net.Sockets;
using System.Net;
using System.Runtime.InteropServices;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;

namespace BuildSentry.Linux.Attribution;

/// <summary>
/// /proc/PID/net/{tcp,tcp6,udp,udp6}: the sockets of the namespace PID lives in. Addresses are hex
/// of the kernel's 32-bit words in host byte order, IPv6 as four such words.
/// </summary>
internal static class ProcNetTable
{
    /// <summary>The inode of the socket owning <paramref name="flow"/>; UDP also matches an unconnected socket on the local port.</summary>
    public static uint? FindInode(int pid, FlowKey flow)
    {
        var name = flow.Protocol == TransportProtocol.Tcp ? "tcp" : "udp";
        var v4 = flow.Source.AddressFamily == AddressFamily.InterNetwork;
        // An IPv4 flow may belong to a dual-stack IPv6 socket, listed in the "6" table with mapped addresses.
        var tables = v4 ? new[] { name, name + "6" } : [name + "6"];
        uint? loose = null;
        foreach (var table in tables)
        {
            string[] lines;
            try { lines = File.ReadAllLines($"/proc/{pid}/net/{table}"); }
            catch (IOException) { continue; }
            foreach (var line in lines.Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10 || !TryEndpoint(fields[1], out var local, out var localPort) || !TryEndpoint(fields[2], out var remote, out var remotePort)
                    || !uint.TryParse(fields[9], NumberStyles.None, CultureInfo.InvariantCulture, out var inode) || inode == 0)
                    continue;
                if (localPort != flow.SourcePort || !Same(local, flow.Source, wildcardMatches: flow.Protocol == TransportProtocol.Udp))
                    continue;
                if (remotePort == flow.DestinationPort && Same(remote, flow.Destination, wildcardMatches: false))
                    return inode;
                if (flow.Protocol == TransportProtocol.Udp && remotePort == 0)
                    loose ??= inode;
            }
        }
        return loose;
    }

    private static bool Same(IPAddress listed, IPAddress wanted, bool wildcardMatches)
    {
        if (listed.IsIPv4MappedToIPv6)
            listed = listed.MapToIPv4();
        return listed.Equals(wanted) || (wildcardMatches && (listed.Equals(IPAddress.Any) || listed.Equals(IPAddress.IPv6Any)));
    }

    private static bool TryEndpoint(string text, out IPAddress address, out int port)
    {
        address = IPAddress.None;
        port = 0;
        var colon = text.IndexOf(':');
        if (colon is not (8 or 32) || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out port))
            return false;
        Span<byte> bytes = stackalloc byte[colon / 2];
        for (var word = 0; word < colon / 8; word++)
        {
            if (!uint.TryParse(text.AsSpan(word * 8, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
                return false;
            MemoryMarshal.Write(bytes[(word * 4)..], in value);
        }
        address = new IPAddress(bytes);
        return true;
    }
}
