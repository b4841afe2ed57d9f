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
/// are inbound);</item>
/// <item>outbound TCP whose payload starts with 16 03 ?? ?? ?? 01 (TLS handshake record holding a
/// ClientHello) or with an HTTP method token;</item>
/// <item>outbound UDP except DNS answers this host serves to others, and optionally, QUIC short-header packets to port 443 (see
/// <see cref="CaptureFilterOptions.DropQuicShortHeaders"/>); user space keeps the first packet of each flow;</item>
/// <item>outbound IPv6 packets behind an extension header (hop-by-hop, routing, fragment,
/// destination options), whole: fixed offsets cannot reach their TCP or UDP header, and such
/// packets are rare. Not "ip6 protochain": its loads defeat libpcap's rewrite of the filter for
/// the cooked socket, which then silently filters in user space after copying every packet.</item>
/// </list>
/// Loopback: the kernel shows each packet going out and coming in, and libpcap throws the outgoing
/// copy away in user space, so on loopback the filter passes both copies (ifindex 1) and judges
/// the surviving one as outbound. pcap's received count therefore counts loopback packets twice.
/// libpcap's tcp[] and udp[] index only IPv4, so IPv6 reads ip6[] at the fixed 40-byte offset.
/// Every payload load is guarded by a length test: an out-of-bounds load ends a BPF program with
/// "reject", which would also throw away a packet another alternative wanted.
/// </remarks>
public static class CaptureFilter
{
    private static readonly string[] HttpMethods = ["GET ", "POST", "PUT ", "HEAD", "DELE", "PATC", "OPTI", "CONN", "TRAC"];

    /// <summary>Builds the filter; <paramref name="direction"/> follows what the link type records.</summary>
    public static string Build(CaptureFilterOptions options, FilterDirection direction = FilterDirection.Live)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.DnsPorts.Count == 0 || options.DnsPorts.Any(p => p is < 1 or > 65535))
            throw new ArgumentException("DNS ports must be 1 to 65535, at least one.", nameof(options));

        var dnsPorts = string.Join(" or ", options.DnsPorts.Select(p => p.ToString(CultureInfo.InvariantCulture)));
        var quic4 = options.DropQuicShortHeaders ? $" and not {Quic4ShortHeader}" : "";
        var quic6 = options.DropQuicShortHeaders ? $" and not {Quic6ShortHeader}" : "";
        string[] outbound =
        [
            "(ip and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn)",
            "(ip6 and ip6[6] == 6 and ip6[53] & 0x12 == 0x02)",
            $"(dst port ({dnsPorts}))",
            Tcp4Payload(),
            Tcp6Payload(),
            $"(ip and udp and not src port ({dnsPorts}){quic4})",
            $"(ip6 and ip6[6] == 17 and not src port ({dnsPorts}){quic6})",
            "(ip6 and (ip6[6] == 0 or ip6[6] == 43 or ip6[6] == 44 or ip6[6] == 60))",
        ];
        var outboundAny = string.Join(" or ", outbound);
        var inboundDns = $"(src port ({dnsPorts}))";
        return direction switch
        {
            FilterDirection.Live =>
                $"((outbound or ifindex 1) and ({outboundAny})) or (inbound and {inboundDns})",
            FilterDirection.CookedFile =>
                $"(((outbound and not link[2:2] == 772) or (inbound and link[2:2] == 772)) and ({outboundAny})) or (inbound and {inboundDns})",
            _ => $"{outboundAny} or {inboundDns}",
        };
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
