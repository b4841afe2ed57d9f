using static Tmds.Linux.LibC;

namespace BuildSentry.Linux.Cgroups;

public sealed partial class JobCgroups
{
    /// <summary>
    /// SIGKILLs every process in the cgroup, including ones forking while it happens. Uses cgroup.kill
    /// (Linux 5.14); on older kernels freezes the cgroup so nothing can fork, kills each member, then thaws
    /// it so the kills take effect.
    /// </summary>
    public static CgroupResult Kill(string path) =>
        File.Exists(Path.Combine(path, "cgroup.kill"))
            ? Try(path, () => File.WriteAllText(Path.Combine(path, "cgroup.kill"), "1"))
            : KillFrozen(path);

    internal static CgroupResult KillFrozen(string path)
    {
        var frozen = Freeze(path);
        if (!frozen.Succeeded)
        {
            return frozen;
        }

        foreach (var pid in Processes(path))
        {
            kill(pid, SIGKILL);
        }

        return Freeze(path, frozen: false);
    }
}
