using System.Net;
using BuildSentry.Linux.Decoding;
using PacketDotNet;
using static BuildSentry.Linux.Tests.Decoding.FrameBuilder;

namespace BuildSentry.Linux.Tests.Decoding;

public sealed class PacketDecoderTests
{
    private readonly PacketDecoder _decoder = new();

    [Fact]
    public void An_outgoing_SYN_on_the_any_device_decodes_to_its_flow_and_flags()
    {
        var packet = _decoder.Decode(SllTcpSyn(), LinkLayers.LinuxSll);

        Assert.Equal(DecodeStatus.Decoded, packet.Status);
        Assert.Equal(PacketDirection.Outgoing, packet.Direction);
        Assert.Equal(4, packet.IpVersion);
        Assert.Equal(IPAddress.Parse("10.0.0.5"), packet.Source);
        Assert.Equal(IPAddress.Parse("93.184.216.34"), packet.Destination);
        Assert.Equal(IpTransport.Tcp, packet.Transport);
        Assert.Equal((40000, 443), (packet.SourcePort, packet.DestinationPort));
        Assert.Equal(TcpFlags.Syn, packet.TcpFlags);
        Assert.True(packet.IsTcpSyn);
        Assert.Equal(12345u, packet.SequenceNumber);
        Assert.True(packet.Payload.IsEmpty);
    }

    [Fact]
    public void A_TCP_payload_is_a_slice_of_the_captured_buffer_not_a_copy()
    {
        var frame = Sll(SllOutgoing, EtherTypeIpv4, Ipv4("10.0.0.5", "10.0.0.6", IpTransport.Tcp,
            Tcp(1234, 80, TcpFlags.Psh | TcpFlags.Ack, 7, CapturedFixtures.CurlRequest, optionBytes: 12)));

        var packet = _decoder.Decode(frame, LinkLayers.LinuxSll);

        Assert.Equal(TcpFlags.Psh | TcpFlags.Ack, packet.TcpFlags);
        Assert.False(packet.IsTcpSyn);
        Assert.Equal(CapturedFixtures.CurlRequest, packet.Payload.ToArray());
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(packet.Payload, out var segment));
        Assert.Same(frame, segment.Array);
        Assert.Equal(16 + 20 + 32, segment.Offset);
    }

    [Fact]
    public void Packets_addressed_to_the_host_and_broadcasts_have_their_own_directions()
    {
        var ip = Ipv4("10.0.0.6", "10.0.0.5", IpTransport.Tcp, Tcp(443, 40000, TcpFlags.Syn | TcpFlags.Ack, 1, []));

        Assert.Equal(PacketDirection.ToHost, _decoder.Decode(Sll(SllToHost, EtherTypeIpv4, ip), LinkLayers.LinuxSll).Direction);
        Assert.Equal(PacketDirection.Other, _decoder.Decode(Sll(1, EtherTypeIpv4, ip), LinkLayers.LinuxSll).Direction);
    }

    [Fact]
    public void An_IPv6_UDP_datagram_in_a_cooked_v2_frame_decodes_with_its_payload()
    {
        byte[] dns = [1, 2, 3, 4, 5];
        var frame = Sll2(4, EtherTypeIpv6, Ipv6("2001:db8::5", "2001:db8::53", IpTransport.Udp, Udp(5353, 53, dns)));

        var packet = _decoder.Decode(frame, LinkLayers.LinuxSll2);

        Assert.Equal(DecodeStatus.Decoded, packet.Status);
        Assert.Equal(PacketDirection.Outgoing, packet.Direction);
        Assert.Equal(6, packet.IpVersion);
        Assert.Equal(IPAddress.Parse("2001:db8::53"), packet.Destination);
        Assert.True(packet.IsUdp);
        Assert.Equal((5353, 53), (packet.SourcePort, packet.DestinationPort));
        Assert.Equal(dns, packet.Payload.ToArray());
    }

    [Fact]
    public void Ethernet_padding_after_a_short_IP_packet_is_not_part_of_the_payload()
    {
        var frame = Ethernet(EtherTypeIpv4, Ipv4("10.0.0.5", "10.0.0.53", IpTransport.Udp, Udp(1000, 53, [9])), padding: 17);

        var packet = _decoder.Decode(frame, LinkLayers.Ethernet);

        Assert.Equal(PacketDirection.Unknown, packet.Direction);
        Assert.Equal(new byte[] { 9 }, packet.Payload.ToArray());
    }

    [Fact]
    public void Raw_IP_frames_are_decoded_by_their_version_nibble()
    {
        var v4 = _decoder.Decode(Ipv4("10.0.0.5", "10.0.0.6", IpTransport.Tcp, Tcp(1, 2, TcpFlags.Fin | TcpFlags.Ack, 3, [])), LinkLayers.Raw);
        var v6 = _decoder.Decode(Ipv6("::1", "::2", IpTransport.Tcp, Tcp(1, 2, TcpFlags.Rst, 3, [])), LinkLayers.Raw);

        Assert.Equal(TcpFlags.Fin | TcpFlags.Ack, v4.TcpFlags);
        Assert.Equal(TcpFlags.Rst, v6.TcpFlags);
        Assert.Equal(6, v6.IpVersion);
    }

    [Fact]
    public void Non_IP_frames_and_other_transports_are_told_apart_from_malformed_ones()
    {
        var arp = Sll(SllOutgoing, 0x0806, new byte[28]);
        var icmp = Sll(SllOutgoing, EtherTypeIpv4, Ipv4("10.0.0.5", "10.0.0.6", (IpTransport)1, new byte[8]));
        var laterFragment = Sll(SllOutgoing, EtherTypeIpv4, Ipv4("10.0.0.5", "10.0.0.6", IpTransport.Udp, new byte[16], fragmentOffset: 185));

        Assert.Equal(DecodeStatus.NotIp, _decoder.Decode(arp, LinkLayers.LinuxSll).Status);
        Assert.Equal(DecodeStatus.OtherTransport, _decoder.Decode(icmp, LinkLayers.LinuxSll).Status);
        var fragment = _decoder.Decode(laterFragment, LinkLayers.LinuxSll);
        Assert.Equal(DecodeStatus.OtherTransport, fragment.Status);
        Assert.Equal(IPAddress.Parse("10.0.0.6"), fragment.Destination);
        Assert.Equal(0, _decoder.MalformedCount);
    }

    [Fact]
    public void A_malformed_packet_of_a_protocol_the_sensor_ignores_is_not_decoded_further()
    {
        // PacketDotNet's OSPF decoder throws a bare Exception on this payload.
        var ospf = Sll(SllOutgoing, EtherTypeIpv4, Ipv4("10.0.0.5", "224.0.0.5", (IpTransport)89, [2, 9, 0, 0, 0, 0]));

        var packet = _decoder.Decode(ospf, LinkLayers.LinuxSll);

        Assert.Equal(DecodeStatus.OtherTransport, packet.Status);
        Assert.Equal(IPAddress.Parse("224.0.0.5"), packet.Destination);
    }

    [Fact]
    public void A_VLAN_tagged_Ethernet_frame_is_unwrapped_to_its_IP_packet()
    {
        var ip = Ipv4("10.0.0.5", "10.0.0.6", IpTransport.Tcp, Tcp(1, 22, TcpFlags.Syn, 3, []));
        var packet = _decoder.Decode(Ethernet(0x8100, [0x00, 0x05, 0x08, 0x00, .. ip]), LinkLayers.Ethernet);

        Assert.True(packet.IsTcpSyn);
        Assert.Equal(22, packet.DestinationPort);
    }

    [Fact]
    public void A_frame_truncated_at_any_byte_never_throws_and_is_counted_when_malformed()
    {
        var frame = Sll(SllOutgoing, EtherTypeIpv4, Ipv4("10.0.0.5", "10.0.0.6", IpTransport.Tcp, Tcp(1, 2, TcpFlags.Syn, 3, [], optionBytes: 8)));

        var malformed = 0;
        for (var length = 0; length < frame.Length; length++)
        {
            var packet = _decoder.Decode(frame.AsMemory(0, length), LinkLayers.LinuxSll);
            Assert.NotEqual(DecodeStatus.Decoded, packet.Status);
            malformed += packet.Status == DecodeStatus.Malformed ? 1 : 0;
        }

        Assert.Equal(frame.Length, malformed);
        Assert.Equal(malformed, _decoder.MalformedCount);
    }

    [Fact]
    public void A_TCP_data_offset_past_the_end_of_the_packet_is_malformed()
    {
        var ip = Ipv4("10.0.0.5", "10.0.0.6", IpTransport.Tcp, Tcp(1, 2, TcpFlags.Syn, 3, []));
        ip[20 + 12] = 0xF0;

        Assert.Equal(DecodeStatus.Malformed, _decoder.Decode(ip, LinkLayers.Raw).Status);
    }

    [Fact]
    public void An_IPv4_total_length_shorter_than_its_header_is_malformed()
    {
        var ip = Ipv4("10.0.0.5", "10.0.0.6", IpTransport.Tcp, Tcp(1, 2, TcpFlags.Syn, 3, []));
        ip[3] = 10;

        Assert.Equal(DecodeStatus.Malformed, _decoder.Decode(ip, LinkLayers.Raw).Status);
    }

    [Fact]
    public void A_payload_cut_by_the_snap_length_keeps_the_bytes_that_were_captured()
    {
        var frame = Sll(SllOutgoing, EtherTypeIpv4, Ipv4("10.0.0.5", "10.0.0.6", IpTransport.Tcp, Tcp(1, 443, TcpFlags.Ack, 3, CapturedFixtures.OpenSslClientHello)));

        var packet = _decoder.Decode(frame.AsMemory(0, 16 + 20 + 20 + 100), LinkLayers.LinuxSll);

        Assert.Equal(DecodeStatus.Decoded, packet.Status);
        Assert.Equal(CapturedFixtures.OpenSslClientHello.AsSpan(0, 100).ToArray(), packet.Payload.ToArray());
    }

    [Fact]
    public void A_link_type_the_decoder_does_not_handle_is_reported_as_not_IP()
    {
        Assert.False(PacketDecoder.Supports(LinkLayers.Ieee80211));
        Assert.Equal(DecodeStatus.NotIp, _decoder.Decode(SllTcpSyn(), LinkLayers.Ieee80211).Status);
    }
}
