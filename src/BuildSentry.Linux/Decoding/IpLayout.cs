using System.Buffers.Binary;

namespace BuildSentry.Linux.Decoding;

/// <summary>
/// The lengths of an IP packet and of a TCP or UDP header right behind it, checked against the
/// captured bytes. Checked before PacketDotNet decodes a layer, because PacketDotNet trusts length
/// fields and throws (costly under a flood of hostile frames) or slices past the data.
/// </summary>
internal readonly record struct IpLayout(byte Version, int Length, int HeaderLength, byte Protocol, bool IsLaterFragment)
{
    public const byte Tcp = 6;
    public const byte Udp = 17;
    public const int TcpMinHeader = 20;
    public const int UdpHeader = 8;
    private const int Ipv4MinHeader = 20;
    private const int Ipv6Header = 40;

    /// <summary>
    /// Reads the layout of <paramref name="ip"/> (captured bytes from the IP header on). The length
    /// is the declared one, or less when the snap length cut the packet; a declared length of 0
    /// (segmentation offload, jumbograms) means "to the end of the capture".
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> ip, out IpLayout layout)
    {
        layout = default;
        if (ip.IsEmpty)
        {
            return false;
        }

        int headerLength, declared;
        byte protocol;
        var laterFragment = false;
        switch (ip[0] >> 4)
        {
            case 4 when ip.Length >= Ipv4MinHeader:
                headerLength = (ip[0] & 0x0F) * 4;
                declared = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
                if (headerLength < Ipv4MinHeader || headerLength > ip.Length || (declared != 0 && declared < headerLength))
                {
                    return false;
                }

                laterFragment = (BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x1FFF) != 0;
                protocol = ip[9];
                break;
            case 6 when ip.Length >= Ipv6Header:
                headerLength = Ipv6Header;
                var payloadLength = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
                declared = payloadLength == 0 ? 0 : Ipv6Header + payloadLength;
                protocol = ip[6];
                break;
            default:
                return false;
        }

        var length = declared == 0 ? ip.Length : Math.Min(declared, ip.Length);
        layout = new IpLayout((byte)(ip[0] >> 4), length, headerLength, protocol, laterFragment);
        return laterFragment || TransportHeaderFits(ip[headerLength..length], protocol);
    }

    /// <summary>Whether a TCP or UDP header starting at <paramref name="transport"/> fits; other protocols pass.</summary>
    public static bool TransportHeaderFits(ReadOnlySpan<byte> transport, byte protocol) => protocol switch
    {
        Tcp => transport.Length >= TcpMinHeader && (transport[12] >> 4) * 4 is var offset && offset >= TcpMinHeader && offset <= transport.Length,
        Udp => transport.Length >= UdpHeader && BinaryPrimitives.ReadUInt16BigEndian(transport[4..]) >= UdpHeader,
        _ => true,
    };
}
