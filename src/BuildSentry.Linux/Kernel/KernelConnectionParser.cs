using System.Net;
using System.Runtime.InteropServices;
using BuildSentry.Core.Events;
using BuildSentry.Core.Profiles;

namespace BuildSentry.Linux.Kernel;

/// <summary>
/// Decodes struct connect_record of connect.h (host byte order, but the address in network order). A record whose
/// kind, family or protocol the programs never write is refused.
/// </summary>
internal static class KernelConnectionParser
{
    public const int RecordBytes = 72;
    private const int NamespaceRecordBytes = 16;
    private const ushort AfInet = 2;
    private const ushort AfInet6 = 10;
    private const uint IpProtoTcp = 6;
    private const uint IpProtoUdp = 17;
    private const uint V4Mapped = 1;
    private const uint UdpConnect = 2;

    /// <summary>Whether the record's kind is one of the connection programs' (the rest are process records).</summary>
    public static bool IsConnection(ReadOnlySpan<byte> data) =>
        data.Length >= sizeof(uint) && (KernelRecordKind)Read<uint>(data, 0) is KernelRecordKind.Connect or KernelRecordKind.UdpSend or KernelRecordKind.Prevented;

    /// <summary>Decodes struct netns_record of jobpolicy.h: a held job's process in a namespace with no forwarder.</summary>
    public static bool IsNamespaceRequest(ReadOnlySpan<byte> data, out uint slot, out int tgid, out uint inode)
    {
        (slot, tgid, inode) = (0, 0, 0);
        if (data.Length < NamespaceRecordBytes || (KernelRecordKind)Read<uint>(data, 0) != KernelRecordKind.NetworkNamespace)
        {
            return false;
        }

        (slot, tgid, inode) = (Read<uint>(data, 4), Read<int>(data, 8), Read<uint>(data, 12));
        return true;
    }

    public static bool TryParse(ReadOnlySpan<byte> data, out KernelConnectionRecord record)
    {
        record = default;
        if (data.Length < RecordBytes || !IsConnection(data))
        {
            return false;
        }

        TransportProtocol? protocol = Read<uint>(data, 48) switch
        {
            IpProtoTcp => TransportProtocol.Tcp,
            IpProtoUdp => TransportProtocol.Udp,
            _ => null,
        };
        var address = data.Slice(56, 16);
        IPAddress? destination = Read<ushort>(data, 44) switch
        {
            AfInet => new IPAddress(address[..4]),
            AfInet6 => new IPAddress(address),
            _ => null,
        };
        if (protocol is null || destination is null)
        {
            return false;
        }

        record = new KernelConnectionRecord(
            (KernelRecordKind)Read<uint>(data, 0), Read<uint>(data, 4), Read<ulong>(data, 8),
            new ProcessKey(Read<int>(data, 36), KernelRecordParser.ToTicks(Read<ulong>(data, 16))), Read<int>(data, 32),
            Read<uint>(data, 40), protocol.Value, destination, Read<ushort>(data, 46), Read<ulong>(data, 24),
            (Read<uint>(data, 52) & V4Mapped) != 0)
        {
            UdpConnectOnly = (Read<uint>(data, 52) & UdpConnect) != 0,
        };
        return true;
    }

    private static T Read<T>(ReadOnlySpan<byte> data, int offset) where T : unmanaged =>
        MemoryMarshal.Read<T>(data[offset..]);
}
