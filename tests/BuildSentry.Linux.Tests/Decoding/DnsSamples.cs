namespace BuildSentry.Linux.Tests.Decoding;

/// <summary>Messages shaped like real resolver traffic, built with <see cref="DnsWire"/>.</summary>
internal static class DnsSamples
{
    public const int QuestionNameOffset = 12;

    public static byte[] Query(string name, int type, ushort id = 0x1234) =>
        DnsWire.Header(id, 0x0100, 1, 0).Name(name).Question(type).Build();

    /// <summary>
    /// www.github.com A: CNAME github.com, then A 140.82.121.3 and 140.82.121.4, every name after the
    /// question compressed, the way resolvers answer.
    /// </summary>
    public static byte[] CnameChainResponse()
    {
        var wire = DnsWire.Header(0xBEEF, 0x8180, 1, 3);
        wire.Name("www.github.com").Question(1);
        wire.Pointer(QuestionNameOffset).RecordHeader(5, 3600, 2).Pointer(QuestionNameOffset + 4);
        wire.Pointer(QuestionNameOffset + 4).RecordHeader(1, 60, 4).Bytes(140, 82, 121, 3);
        wire.Pointer(QuestionNameOffset + 4).RecordHeader(1, 60, 4).Bytes(140, 82, 121, 4);
        return wire.Build();
    }

    /// <summary>
    /// cdn.example.org AAAA: CNAME to edge.cdn-provider.net (written out, partly compressed), an
    /// RRSIG the parser must skip, then the AAAA at the target, and an OPT record in additional.
    /// </summary>
    public static byte[] AaaaViaCnameResponse()
    {
        var wire = DnsWire.Header(7, 0x8180, 1, 3, 0, 1);
        wire.Name("cdn.example.org").Question(28);
        var target = wire.Pointer(QuestionNameOffset).RecordHeader(5, 300, 23).Offset;
        wire.Label("edge").Label("cdn-provider").Label("net").Bytes(0);
        wire.Pointer(QuestionNameOffset).RecordHeader(46, 300, 6).Bytes(0, 5, 8, 2, 0, 0);
        wire.Pointer(target).RecordHeader(28, 20, 16).Bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01);
        wire.Bytes(0).U16(41).U16(1232).U32(0).U16(0);
        return wire.Build();
    }
}
