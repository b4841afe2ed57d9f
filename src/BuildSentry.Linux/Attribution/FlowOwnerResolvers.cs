namespace BuildSentry.Linux.Attribution;

public static class FlowOwnerResolvers
{
    /// <summary>Needs root (or CAP_SYS_PTRACE and CAP_NET_ADMIN) to see other users' descriptors.</summary>
    public static IFlowOwnerResolver Create(int cacheCapacity = 4096) => new FlowOwnerResolver(cacheCapacity);
}
