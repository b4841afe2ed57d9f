using System.Runtime.InteropServices;

namespace BuildSentry.EndToEnd;

internal static partial class Syscall
{
    private const int SIGTERM = 15;
    private const int SIGHUP = 1;
    private const int SIGKILL = 9;

    public static void Terminate(int pid) => _ = kill(pid, SIGTERM);

    public static void HangUp(int pid) => _ = kill(pid, SIGHUP);

    public static void Kill(int pid) => _ = kill(pid, SIGKILL);

    public static void Interrupt(int pid) => _ = kill(pid, 2);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
