namespace BuildSentry.EndToEnd.Packaging;

/// <summary>
/// The host's cgroup trees, for a container's own cgroup: nspawn mirrors it into the named systemd v1 hierarchy as well
/// on a hybrid host, so both are removed.
/// </summary>
public static class CgroupMounts
{
    public static string Unified() =>
        Mounts().FirstOrDefault(m => m.Type == "cgroup2").Path ?? throw new InvalidOperationException("no cgroup2 mount in /proc/mounts");

    /// <summary>Removes <paramref name="cgroup"/> and the cgroups under it, deepest first, from every tree that has it.</summary>
    public static void RemoveTree(string cgroup)
    {
        var name = Path.GetRelativePath(Unified(), cgroup);
        foreach (var (path, type, options) in Mounts())
        {
            var root = Path.Combine(path, name);
            if ((type == "cgroup2" || options.Contains("name=systemd", StringComparison.Ordinal)) && Directory.Exists(root))
            {
                foreach (var directory in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length))
                {
                    Directory.Delete(directory);
                }

                Directory.Delete(root);
            }
        }
    }

    private static IEnumerable<(string Path, string Type, string Options)> Mounts() =>
        File.ReadLines("/proc/mounts")
            .Select(line => line.Split(' '))
            .Where(fields => fields.Length >= 4 && fields[2] is "cgroup2" or "cgroup")
            .Select(fields => (fields[1], fields[2], fields[3]));
}
