namespace BuildSentry.Configuration;

/// <summary>
/// Prevent mode. <see cref="DnsServers"/> are the resolvers the DNS forwarder asks for every prevent-mode job,
/// whichever server the job itself asked: a job must not choose the server that answers it (one of its own would
/// learn what it is asked and could answer an allowed name with an address of its choosing, which would then be
/// allowed). Empty: the nameservers of the daemon's /etc/resolv.conf.
/// </summary>
public sealed class PreventSection
{
    public List<string> DnsServers { get; set; } = [];
}
