using static Tmds.Linux.LibC;

namespace BuildSentry.Linux.Interop;

internal static class SysConf
{
    // Tmds.LibC has sysconf but not the glibc _SC_ names; _SC_CLK_TCK is 2 in <bits/confname.h>.
    private const int ScClkTck = 2;

    /// <summary>USER_HZ: the unit of /proc/PID/stat's start time.</summary>
    public static long ClockTicksPerSecond { get; } = Math.Max(1L, (long)sysconf(ScClkTck));
}
