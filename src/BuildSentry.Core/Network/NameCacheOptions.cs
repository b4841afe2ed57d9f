namespace BuildSentry.Core.Network;

public sealed class NameCacheOptions
{
    /// <summary>Addresses remembered across all namespaces; beyond it the least recently answered go first.</summary>
    public int MaxAddresses { get; init; } = 65_536;

    /// <summary>Names kept per address (a CDN address can carry many); beyond it the one expiring first goes.</summary>
    public int MaxNamesPerAddress { get; init; } = 16;

    /// <summary>
    /// The shortest life an answer gets. Resolvers and runtimes keep answers beyond a record's TTL
    /// (a TTL of 0 is common behind CDNs), and a connection made a second after the answer must still
    /// be named, or an allowed host would be reported as an unknown address.
    /// </summary>
    public TimeSpan MinimumLifetime { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest: a name given to an address a day ago says little about today.</summary>
    public TimeSpan MaximumLifetime { get; init; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The network namespace the capture runs in (its inode; 0 when unknown). A container's DNS leaves the host after
    /// NAT, where its answer cannot be traced back to the asking socket and is recorded here: an address a container
    /// connects to with no answer of its own namespace is named by the host's answers.
    /// </summary>
    public ulong HostNamespace { get; init; }
}
