namespace BuildSentry.Linux.Processes;

internal static class WaitStatus
{
    /// <summary>The kernel reports the wait status; this is the shell's convention: the exit code, or
    /// 128 + signal for a process killed by a signal.</summary>
    public static int ToExitCode(int waitStatus) =>
        (waitStatus & 0x7f) == 0 ? (waitStatus >> 8) & 0xff : 128 + (waitStatus & 0x7f);
}
