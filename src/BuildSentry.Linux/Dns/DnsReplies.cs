using System.Buffers.Binary;

namespace BuildSentry.Linux.Dns;

/// <summary>The replies the forwarder writes itself: the query's header and question with an error RCODE and no records.</summary>
internal static class DnsReplies
{
    private const ushort ResponseFlag = 0x8000;
    private const ushort RecursionAvailableFlag = 0x0080;

    /// <summary>The opcode, RD and CD bits of the query are echoed (RFC 1035 4.1.1, RFC 4035 3.2.2).</summary>
    private const ushort EchoedFlags = 0x7800 | 0x0100 | 0x0010;

    /// <summary>
    /// Echoes the id, flags and the bytes up to <paramref name="questionEnd"/> of <paramref name="query"/> (at least a
    /// header); a reply that ends at the header carries no question.
    /// </summary>
    public static byte[] Build(ReadOnlySpan<byte> query, int questionEnd, DnsResponseCode responseCode)
    {
        var reply = query[..questionEnd].ToArray();
        var flags = BinaryPrimitives.ReadUInt16BigEndian(query[2..]);
        var replyFlags = ResponseFlag | RecursionAvailableFlag | (flags & EchoedFlags) | (int)responseCode;
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(2), (ushort)replyFlags);
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(4), questionEnd > DnsQueryReader.HeaderLength ? (ushort)1 : (ushort)0);
        reply.AsSpan(6, 6).Clear();
        return reply;
    }
}
