using System.Net;

namespace BuildSentry.Linux.Dns;

/// <summary>What the policy does with a query: forward it to an upstream resolver, or answer it at once with an error.</summary>
public sealed class DnsDecision
{
    private DnsDecision(IPEndPoint? upstream, DnsResponseCode responseCode, string? reason)
    {
        Upstream = upstream;
        ResponseCode = responseCode;
        Reason = reason;
    }

    /// <summary>Where a forwarded query goes; null for a refusal or an empty answer.</summary>
    public IPEndPoint? Upstream { get; }

    /// <summary>The refusal's RCODE; <see cref="DnsResponseCode.NoError"/> for a forward.</summary>
    public DnsResponseCode ResponseCode { get; }

    /// <summary>Why the query was answered here, for the forwarder's debug log; null for a forward.</summary>
    public string? Reason { get; }

    public static DnsDecision Forward(IPEndPoint upstream)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        return new DnsDecision(upstream, DnsResponseCode.NoError, null);
    }

    /// <summary>Answers the query at once with no record and no error (NODATA): the name may exist, but not with this
    /// type for this client (an AAAA query from a namespace without IPv6).</summary>
    public static DnsDecision NoData(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return new DnsDecision(null, DnsResponseCode.NoError, reason);
    }

    /// <summary>Answers the query with <paramref name="responseCode"/> (REFUSED or NXDOMAIN) and sends nothing upstream.</summary>
    public static DnsDecision Refuse(DnsResponseCode responseCode, string reason)
    {
        if (responseCode is not (DnsResponseCode.Refused or DnsResponseCode.NameError))
        {
            throw new ArgumentOutOfRangeException(nameof(responseCode), responseCode, "A refusal answers REFUSED or NXDOMAIN.");
        }

        ArgumentNullException.ThrowIfNull(reason);
        return new DnsDecision(null, responseCode, reason);
    }
}
