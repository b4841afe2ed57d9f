using System.Net;

namespace BuildSentry.Linux.Decoding;

/// <summary>
/// The facts the sensor needs from one frame. <see cref="Payload"/> is a slice of the captured
/// buffer, not a copy, so it is only valid while that buffer is.
/// </summary>
internal readonly record struct DecodedPacket(
    DecodeStatus Status,
    PacketDirection Direction,
    byte IpVersion,
    IPAddress? Source,
    IPAddress? Destination,
    IpTransport Transport,
    ushort SourcePort,
    ushort DestinationPort,
    TcpFlags TcpFlags,
    uint SequenceNumber,
    ReadOnlyMemory<byte> Payload)
{
    public static DecodedPacket Malformed { get; } = new(DecodeStatus.Malformed, PacketDirection.Unknown, 0, null, null, IpTransport.None, 0, 0, TcpFlags.None, 0, default);

    public static DecodedPacket NotIp(PacketDirection direction) =>
        new(DecodeStatus.NotIp, direction, 0, null, null, IpTransport.None, 0, 0, TcpFlags.None, 0, default);

    public bool IsTcp => Status == DecodeStatus.Decoded && Transport == IpTransport.Tcp;

    public bool IsUdp => Status == DecodeStatus.Decoded && Transport == IpTransport.Udp;

    /// <summary>A connection attempt: SYN without ACK.</summary>
    public bool IsTcpSyn => IsTcp && (TcpFlags & (TcpFlags.Syn | TcpFlags.Ack)) == TcpFlags.Syn;
}
