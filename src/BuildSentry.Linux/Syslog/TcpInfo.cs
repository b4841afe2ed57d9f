using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace BuildSentry.Linux.Syslog;

/// <summary>Reads Linux's <c>struct tcp_info</c> (TCP_INFO) for what the peer's kernel has acknowledged.</summary>
internal static class TcpInfo
{
    private const int IpProtoTcp = 6;
    private const int TcpInfoOption = 11;

    /// <summary>Offset of <c>tcpi_bytes_acked</c> (Linux 4.1+): 8 bytes of u8 fields, 24 u32 fields, two u64 rates.</summary>
    private const int BytesAckedOffset = 120;

    /// <summary>
    /// Bytes of this connection's stream the peer acknowledged. The counter survives the connection's
    /// reset, so it can still be read after the peer has gone. Zero when the kernel cannot tell, which
    /// makes the caller treat everything as unacknowledged (resend rather than lose).
    /// </summary>
    public static long BytesAcked(Socket socket)
    {
        Span<byte> info = stackalloc byte[256];
        try
        {
            var length = socket.GetRawSocketOption(IpProtoTcp, TcpInfoOption, info);
            return length >= BytesAckedOffset + 8 ? (long)MemoryMarshal.Read<ulong>(info[BytesAckedOffset..]) : 0;
        }
        catch (SocketException)
        {
            return 0;
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
    }
}
