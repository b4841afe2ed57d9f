namespace BuildSentry.Linux.Capture;

/// <summary>
/// How the filter tells outbound from inbound. libpcap drops the outgoing copy of a loopback packet
/// in user space and keeps the incoming one, so on loopback the incoming copy stands for both.
/// </summary>
public enum FilterDirection
{
    /// <summary>Live capture: the kernel's packet type; ifindex 1 (loopback in every namespace) counts as outbound.</summary>
    Live,

    /// <summary>A file captured on "any": the cooked header's packet type and ARPHRD_LOOPBACK (772).</summary>
    CookedFile,

    /// <summary>A file without direction (Ethernet): both directions pass, judged by content alone.</summary>
    None,
}
