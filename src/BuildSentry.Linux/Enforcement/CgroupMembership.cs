using BuildSentry.Linux.Interop;
using BuildSentry.Linux.Processes;

namespace BuildSentry.Linux.Enforcement;

/// <summary>Which cgroup v2 a process is in, from the "0::/path" line of /proc/PID/cgroup.</summary>
internal static class CgroupMembership
{
    private const int BufferBytes = 4096;

    /// <summary>A cgroup directory as /proc/PID/cgroup names it: its path below the v2 mount, from "/".</summary>
    public static string Relative(string? mount, string directory) => "/" + Path.GetRelativePath(mount ?? "/", directory);

    public static bool IsIn(string procRoot, int pid, string relativePath)
    {
        Span<byte> buffer = stackalloc byte[BufferBytes];
        var length = ProcFile.Read(procRoot, pid, "cgroup", buffer);
        ReadOnlySpan<byte> text = buffer[..Math.Max(length, 0)];
        while (!text.IsEmpty)
        {
            var end = text.IndexOf((byte)'\n');
            var line = end < 0 ? text : text[..end];
            if (line.StartsWith("0::"u8))
            {
                return ProcText.Decode(line[3..]) == relativePath;
            }

            text = end < 0 ? default : text[(end + 1)..];
        }

        return false;
    }
}
