using BuildSentry.Linux.Decoding;

namespace BuildSentry.Linux.Tests.Decoding;

/// <summary>Seeded mutations and noise against the DNS parser and its TCP framing: no throw, no hang, printable names.</summary>
public sealed class DnsFuzzTests
{
    [Fact]
    public void The_DNS_parser_survives_350_000_mutated_and_random_messages()
    {
        int complete = 0, partial = 0, rejected = 0;
        FuzzCampaign.Run(1001, 350_000, m => FuzzSeeds.MutatedOrNoise(m, FuzzSeeds.DnsSeeds), input =>
        {
            if (!DnsMessageParser.TryParse(input, out var message))
            {
                rejected++;
                return;
            }

            FuzzAssert.AssertSane(message);
            _ = message.IsComplete ? complete++ : partial++;
        });

        // The campaign means something only if mutations reach every outcome often.
        Assert.All(new[] { complete, partial, rejected }, n => Assert.True(n > 10_000, $"{complete}/{partial}/{rejected}"));
    }

    [Fact]
    public void The_DNS_TCP_reassembler_survives_60_000_mutated_streams_in_random_segments()
    {
        var messages = new List<DnsMessage>();
        FuzzCampaign.Run(1002, 60_000, m =>
        {
            var stream = new List<byte>();
            for (var i = 0; i < 3; i++)
            {
                var message = m.Mutate(m.Pick(FuzzSeeds.DnsSeeds));
                stream.AddRange([(byte)(message.Length >> 8), (byte)message.Length, .. message]);
            }

            return m.Mutate([.. stream]);
        }, input =>
        {
            var reassembler = new DnsTcpReassembler();
            messages.Clear();
            var mutator = new Mutator(input.Length);
            foreach (var segment in FuzzSeeds.Segments(mutator, input))
            {
                reassembler.Feed(segment.Span, messages);
                Assert.InRange(reassembler.BufferedBytes, 0, ushort.MaxValue + 2);
            }

            messages.ForEach(FuzzAssert.AssertSane);
        });
    }
}
