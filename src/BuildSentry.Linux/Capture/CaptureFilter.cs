using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace BuildSentry.Linux.Capture;

/// <summary>
/// The kernel BPF filter. The kernel runs it on every packet, so bulk data never reaches user space.
/// BPF keeps no per-flow state, so "the first segments of a flow" is approximated by content: an
/// outbound segment whose payload begins like a TLS ClientHello or an HTTP request line.
/// </summary>
/// <remarks>
/// It passes:
/// <list type="bullet">
/// <item>outbound TCP SYN without ACK, IPv4 and IPv6;</item>
/// <item>DNS on the configured ports, UDP and TCP: outbound to the port, inbound from it (answers
/// are inbound; on loopback each packet is seen once going out and once coming in, so each side keeps one copy);</item>
/// <item>outbound TCP whose payload starts with 16 03 ?? ?? ?? 01 (TLS handshake record holding a
/// ClientHello) or with an HTTP method token;</item>
/// <item>outbound UDP except DNS answers (a local resolver's answer would otherwise show twice on
/// loopback) and, optionally, QUIC short-header packets to port 443 (see
/// <see cref="CaptureFilterOptions.DropQuicShortHeaders"/>); user space keeps the first packet of each flow;</item>
/// <item>outbound IPv6 TCP or UDP behind extension headers, whole: fixed offsets cannot reach
/// their TCP header, and such packets are rare.</item>
/// </list>
/// libpcap's tcp[] and udp[] index only IPv4, so IPv6 reads ip6[] at the fixed 40-byte offset.
/// Every payload load is guarded by a length test: an out-of-bounds load ends a BPF program with
/// "reject", which would also throw away a packet another alternative wanted.
/// </remarks>
public static class CaptureFilter
{
    private static readonly string[] HttpMethods = ["GET ", "POST", "PUT ", "HEAD", "DELE", "PATC", "OPTI", "CONN", "TRAC"];

    /// <summary>
    /// Builds the filter. Without <paramref name="direction"/> the outbound/inbound tests are left
    /// out, for capture files whose link type does not record direction (libpcap refuses
    /// "outbound" on a saved Ethernet file); such a replay passes both directions.
    /// </summary>
    public static string Build(CaptureFilterOptions options, bool direction = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.DnsPorts.Count == 0 || options.DnsPorts.Any(p => p is < 1 or > 65535))
            throw new ArgumentException("DNS ports must be 1 to 65535, at least one.", nameof(options));

        var dnsPorts = string.Join(" or ", options.DnsPorts.Select(p => p.ToString(CultureInfo.InvariantCulture)));
        string[] outbound =
        [
            "(ip and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn)",
            "(ip6 and ip6[6] == 6 and ip6[53] & 0x12 == 0x02)",
            $"(dst port ({dnsPorts}))",
            Tcp4Payload(),
            Tcp6Payload(),
            $"(ip and udp and not src port ({dnsPorts}){(options.DropQuicShortHeaders ? $" and not {Quic4ShortHeader}" : "")})",
            $"(ip6 and ip6[6] == 17 and not src port ({dnsPorts}){(options.DropQuicShortHeaders ? $" and not {Quic6ShortHeader}" : "")})",
            "(ip6 and not ip6[6] == 6 and not ip6[6] == 17 and (ip6 protochain 6 or ip6 protochain 17))",
        ];
        var outboundAny = string.Join(" or ", outbound);
        var inboundDns = $"(src port ({dnsPorts}))";
        return direction
            ? $"(outbound and ({outboundAny})) or (inbound and {inboundDns})"
            : $"{outboundAny} or {inboundDns}";
    }

    private const string Quic4ShortHeader =
        "(udp dst port 443 and ip[2:2] - ((ip[0] & 0xf) << 2) > 8 and udp[8] & 0xc0 == 0x40)";

    private const string Quic6ShortHeader = "(ip6[42:2] == 443 and ip6[4:2] > 8 and ip6[48] & 0xc0 == 0x40)";

    private static string Tcp4Payload()
    {
        const string start = "((tcp[12] & 0xf0) >> 2)";
        return "(ip and tcp and ip[6:2] & 0x1fff == 0"
            + $" and ip[2:2] - ((ip[0] & 0xf) << 2) - {start} >= 6"
            + $" and ({PayloadTests(offset => $"tcp[{start}{offset}")}))";
    }

    private static string Tcp6Payload()
    {
        const string start = "(40 + ((ip6[52] & 0xf0) >> 2))";
        return "(ip6 and ip6[6] == 6"
            + " and ip6[4:2] - ((ip6[52] & 0xf0) >> 2) >= 6"
            + $" and ({PayloadTests(offset => $"ip6[{start}{offset}")}))";
    }

    /// <param name="at">Given " + 5" style suffix (or ""), returns the load expression up to the size.</param>
    private static string PayloadTests(Func<string, string> at)
    {
        var tests = new StringBuilder($"({at("")}:2] == 0x1603 and {at(" + 5")}] == 0x01)");
        foreach (var method in HttpMethods)
        {
            var token = BinaryPrimitives.ReadUInt32BigEndian(Encoding.ASCII.GetBytes(method));
            tests.Append(CultureInfo.InvariantCulture, $" or {at("")}:4] == 0x{token:x8}");
        }
        return tests.ToString();
    }
}
