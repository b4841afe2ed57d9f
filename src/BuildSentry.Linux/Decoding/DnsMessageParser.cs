using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace BuildSentry.Linux.Decoding;

/// <summary>
/// Parses the header, questions and A/AAAA/CNAME answers of one DNS message (RFC 1035 section 4).
/// Every read is bounds-checked and nothing throws: a message whose header or questions do not
/// parse yields false; one whose answer section breaks off yields what came before the break.
/// </summary>
internal static class DnsMessageParser
{
    private const int QuestionFixedLength = 4;
    private const int RecordFixedLength = 10;
    private const ushort ResponseFlag = 0x8000;
    private const ushort TruncatedFlag = 0x0200;

    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out DnsMessage? message)
    {
        message = null;
        var reader = new WireReader(data);
        if (!reader.TryReadUInt16(out var id) || !reader.TryReadUInt16(out var flags)
            || !reader.TryReadUInt16(out var questionCount) || !reader.TryReadUInt16(out var answerCount)
            || !reader.TrySkip(4))
        {
            return false;
        }

        // The counts are attacker-chosen: size the lists by what the bytes could actually hold.
        var questions = new List<DnsQuestion>(Math.Min(questionCount, data.Length / (QuestionFixedLength + 1)));
        for (var i = 0; i < questionCount; i++)
        {
            if (!DnsNameReader.TryRead(data, reader.Position, out var name, out var end)
                || !reader.TrySeek(end) || !reader.TryReadUInt16(out var type) || !reader.TrySkip(2))
            {
                return false;
            }

            questions.Add(new DnsQuestion(name, (DnsWireType)type));
        }

        var answers = new List<DnsAnswer>(Math.Min(answerCount, data.Length / (RecordFixedLength + 2)));
        var complete = true;
        for (var i = 0; i < answerCount && complete; i++)
        {
            complete = TryReadAnswer(data, ref reader, answers);
        }

        message = new DnsMessage(
            id, (flags & ResponseFlag) != 0, (flags & TruncatedFlag) != 0, (byte)(flags & 0x0F),
            questions, answers, complete);
        return true;
    }

    private static bool TryReadAnswer(ReadOnlySpan<byte> data, ref WireReader reader, List<DnsAnswer> answers)
    {
        var nameOffset = reader.Position;
        if (!DnsNameReader.TrySkip(data, nameOffset, out var nameEnd) || !reader.TrySeek(nameEnd)
            || !reader.TryReadUInt16(out var rawType) || !reader.TrySkip(2)
            || !reader.TryReadUInt32(out var ttl) || !reader.TryReadUInt16(out var dataLength))
        {
            return false;
        }

        var dataStart = reader.Position;
        if (!reader.TryReadBytes(dataLength, out var rdata))
        {
            return false;
        }

        var type = (DnsWireType)rawType;
        if (type is not (DnsWireType.A or DnsWireType.Aaaa or DnsWireType.Cname))
        {
            return true;
        }

        if (!DnsNameReader.TryRead(data, nameOffset, out var name, out _))
        {
            return false;
        }

        switch (type)
        {
            case DnsWireType.A when rdata.Length == 4:
            case DnsWireType.Aaaa when rdata.Length == 16:
                answers.Add(new DnsAnswer(name, type, ttl, new IPAddress(rdata), null));
                return true;
            case DnsWireType.Cname:
                // The target may point anywhere earlier, but its in-place bytes must fill the RDATA.
                if (!DnsNameReader.TryRead(data, dataStart, out var target, out var targetEnd)
                    || targetEnd != dataStart + dataLength)
                {
                    return false;
                }

                answers.Add(new DnsAnswer(name, type, ttl, null, target));
                return true;
            default:
                return false;
        }
    }
}
