namespace BuildSentry.Linux.Cgroups;

/// <summary>Finds where cgroup v2 is mounted: /sys/fs/cgroup on unified hosts, /sys/fs/cgroup/unified on
/// hybrid ones (v1 controllers beside a v2 tree without controllers).</summary>
public static class CgroupMount
{
    public static string? FindV2(string mountsPath = "/proc/mounts") => FindV2WithOptions(mountsPath)?.Path;

    /// <summary>The cgroup v2 mount and its mount options (e.g. <c>rw,nosuid,nodev,noexec,relatime,favordynmods</c>).</summary>
    public static (string Path, string Options)? FindV2WithOptions(string mountsPath = "/proc/mounts")
    {
        try
        {
            foreach (var line in File.ReadLines(mountsPath))
            {
                var fields = line.Split(' ');
                if (fields.Length >= 4 && fields[2] == "cgroup2")
                {
                    return (Unescape(fields[1]), fields[3]);
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    /// <summary>/proc/mounts writes space, tab, newline and backslash in a path as octal escapes.</summary>
    private static string Unescape(string path) => path
        .Replace("\\040", " ").Replace("\\011", "\t").Replace("\\012", "\n").Replace("\\134", "\\");
}
