namespace BuildSentry.Core.Monitoring;

/// <summary>
/// Whether, while exactly one job runs, egress by processes outside every job is that job's (configuration
/// <c>host.exclusive</c>): a runner that takes one job at a time owns the host meanwhile, and a job that has a service
/// outside its process tree run its upload is still the one to blame.
/// </summary>
public enum HostExclusivity
{
    /// <summary>Never: egress outside every job is judged by the host profile alone (a shared host).</summary>
    False,

    /// <summary>While exactly one job runs, until two jobs have run at once: from then on the host is shared.</summary>
    Auto,

    /// <summary>Whenever exactly one job runs.</summary>
    True,
}
