using System.Runtime.InteropServices;
using BuildSentry.Linux.Decoding;
using PacketDotNet;

namespace BuildSentry.Linux.Tests.Decoding;

/// <summary>Seeded mutations and noise against the frame decoder: no throw, payload slices stay inside the frame.</summary>
public sealed class PacketDecoderFuzzTests
{
    [Fact]
    public void The_packet_decoder_survives_200_000_mutated_and_random_frames()
    {
        var decoder = new PacketDecoder();
        var link = LinkLayers.Null;
        var outcomes = new int[Enum.GetValues<DecodeStatus>().Length];
        FuzzCampaign.Run(1007, 200_000, m =>
        {
            var (frame, seedLink) = m.Pick(FuzzSeeds.FrameSeeds);
            link = m.Random.Next(10) == 0 ? m.Pick(new[] { LinkLayers.LinuxSll, LinkLayers.Ethernet, LinkLayers.Raw }) : seedLink;
            return m.Random.Next(10) == 0 ? m.RandomBytes(200) : m.Mutate(frame);
        }, input =>
        {
            var packet = decoder.Decode(input, link);
            outcomes[(int)packet.Status]++;
            if (packet.Status == DecodeStatus.Decoded)
            {
                Assert.True(MemoryMarshal.TryGetArray(packet.Payload, out var payload));
                Assert.Same(input, payload.Array);
                Assert.InRange(payload.Offset + payload.Count, 0, input.Length);
            }
        });

        Assert.All(outcomes, n => Assert.True(n > 100, string.Join('/', outcomes)));
        Assert.Equal(outcomes[(int)DecodeStatus.Malformed], decoder.MalformedCount);
    }
}
