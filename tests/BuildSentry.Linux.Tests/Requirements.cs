namespace BuildSentry.Linux.Tests;

/// <summary>Tests on real capture and namespaces need root and libpcap: missing either is a failure, never a skip.</summary>
internal static class Requirements
{
    public static void RootAndLibpcap()
    {
        Root();
        if (!File.Exists("/usr/lib/x86_64-linux-gnu/libpcap.so.0.8") && !File.Exists("/usr/lib/aarch64-linux-gnu/libpcap.so.0.8"))
            throw new InvalidOperationException("libpcap.so.0.8 is missing: install Debian's libpcap0.8 (scripts/deps.sh does).");
    }

    public static void Root()
    {
        if (Environment.UserName != "root")
            throw new InvalidOperationException("This test needs root (live capture, sock_diag of other users, network namespaces).");
    }
}
