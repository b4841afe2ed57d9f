using System.Buffers.Binary;
using BuildSentry.Linux.Decoding;

namespace BuildSentry.Linux.Dns;

/// <summary>Sorts a received message with the sensor's parser and finds where its question ends, for the replies that echo it.</summary>
internal static class DnsQueryReader
{
    public const int HeaderLength = 12;
    private const int QuestionFixedLength = 4;
    private const ushort ResponseFlag = 0x8000;
    private const int OpcodeShift = 11;

    /// <summary><paramref name="question"/> is set for <see cref="DnsQueryStatus.Query"/>; <paramref name="questionEnd"/> wherever a reply can echo the question.</summary>
    public static DnsQueryStatus Read(ReadOnlySpan<byte> message, out DnsQuestion? question, out int questionEnd)
    {
        question = null;
        questionEnd = HeaderLength;
        if (message.Length < HeaderLength || (BinaryPrimitives.ReadUInt16BigEndian(message[2..]) & ResponseFlag) != 0)
        {
            return DnsQueryStatus.Dropped;
        }

        // One question only: the policy decides on the first, so a second could ride along undecided.
        if (!DnsMessageParser.TryParse(message, out var parsed) || parsed.Questions.Count != 1
            || !DnsNameReader.TrySkip(message, HeaderLength, out var nameEnd))
        {
            return DnsQueryStatus.Malformed;
        }

        questionEnd = nameEnd + QuestionFixedLength;
        if (((BinaryPrimitives.ReadUInt16BigEndian(message[2..]) >> OpcodeShift) & 0xF) != 0)
        {
            return DnsQueryStatus.NotImplemented;
        }

        question = parsed.Questions[0];
        return DnsQueryStatus.Query;
    }

    /// <summary>
    /// What goes upstream: the header and the one question the policy decided, with no answer, authority or additional
    /// record. Whatever else the job put in its query (an EDNS option, a record of its own) could carry its secrets past
    /// the decision; without EDNS an answer too large for a datagram comes back truncated and is asked again over TCP.
    /// </summary>
    public static byte[] QuestionOnly(ReadOnlySpan<byte> query, int questionEnd)
    {
        var forwarded = query[..questionEnd].ToArray();
        forwarded.AsSpan(6, 6).Clear();
        return forwarded;
    }
}
