namespace BuildSentry.Linux.Attribution;

public static class FlowOwnerResolvers
{
    /// <summary>Needs root (or CAP_SYS_PTRACE and CAP_NET_ADMIN) to see other users' descriptors.</summary>
    /// <param name="socketOwner">The kernel's record of the job member behind a socket cookie (the eBPF sensor's
    /// <see cref="Kernel.KernelSocketOwners.Find"/>), asked before /proc is searched.</param>
    public static IFlowOwnerResolver Create(int cacheCapacity = 4096, Func<ulong, Core.Network.FlowAttribution?>? socketOwner = null) =>
        new FlowOwnerResolver(cacheCapacity, socketOwner);

    /// <summary>The daemon's own network namespace (its inode), where the capture runs; 0 when /proc cannot tell.</summary>
    public static ulong HostNamespace() => SocketOwnerProbe.NetworkNamespace(Environment.ProcessId) ?? 0;
}
