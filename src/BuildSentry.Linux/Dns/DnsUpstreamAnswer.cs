using BuildSentry.Linux.Decoding;

namespace BuildSentry.Linux.Dns;

/// <summary>An upstream answer: its length in the exchange's buffer, what the parser read of it, and the round trip.</summary>
internal sealed record DnsUpstreamAnswer(int Length, DnsMessage Message, TimeSpan RoundTrip)
{
    /// <summary>The answer section's A and AAAA records, whatever their owner (a CNAME chain's target included).</summary>
    public List<DnsAddressAnswer> Addresses()
    {
        var addresses = new List<DnsAddressAnswer>(Message.Answers.Count);
        foreach (var record in Message.Answers)
        {
            if (record.Address is { } address)
            {
                addresses.Add(new DnsAddressAnswer(record.Name, address, TimeSpan.FromSeconds(record.Ttl)));
            }
        }

        return addresses;
    }
}
