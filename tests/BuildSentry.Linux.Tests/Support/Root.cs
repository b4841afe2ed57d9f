namespace BuildSentry.Linux.Tests.Support;

internal static class Root
{
    /// <summary>These tests drive the kernel for real (netlink, cgroups): without root they fail, loudly,
    /// rather than pass by skipping.</summary>
    public static void Require()
    {
        if (Tmds.Linux.LibC.geteuid() != 0)
        {
            throw new InvalidOperationException(
                $"This test needs root (CAP_NET_ADMIN, cgroup writes); running as {Environment.UserName}.");
        }
    }
}
