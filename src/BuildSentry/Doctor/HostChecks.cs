using System.Runtime.InteropServices;
using BuildSentry.Configuration;
using BuildSentry.Core.Profiles;
using BuildSentry.Linux.Cgroups;
using BuildSentry.Linux.Kernel;

namespace BuildSentry.Doctor;

/// <summary>
/// What the host gives the daemon: kernel, BPF, cgroup v2, libpcap, iptables, capabilities. A check fails only where
/// the configuration needs what is missing (process_sensor: ebpf, prevent mode, capture on); otherwise it warns with
/// what the daemon falls back to.
/// </summary>
internal static class HostChecks
{
    private static readonly Version EbpfKernel = new(5, 8);

    public static IEnumerable<DoctorCheck> Run(DaemonConfiguration configuration, string osRelease, Func<string?> bpfLoad)
    {
        var needsEbpf = configuration.ProcessSensor == KernelProcessSensor.SensorName || configuration.DefaultMode == ProfileMode.Prevent;
        var why = needsEbpf ? "the configuration needs the eBPF sensor (process_sensor: ebpf or default_mode: prevent)"
            : "the daemon falls back to the proc connector, and prevent mode to kill mode";
        yield return Kernel(osRelease, needsEbpf, why);
        yield return File.Exists(Prerequisites.KernelBtf)
            ? DoctorCheck.Ok("btf", $"{Prerequisites.KernelBtf} is present")
            : DoctorCheck.Needed(needsEbpf, "btf", $"{Prerequisites.KernelBtf} is missing: {why}", "use a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian's kernels are)");
        yield return configuration.ProcessSensor == "proc-connector"
            ? DoctorCheck.Ok("bpf", "not used: process_sensor is proc-connector")
            : bpfLoad() is { } reason
                ? DoctorCheck.Needed(needsEbpf, "bpf", $"the eBPF sensor's programs do not load: {reason}; {why}",
                    "run the daemon (and doctor) as root with CAP_BPF and CAP_PERFMON, and install libbpf1")
                : DoctorCheck.Ok("bpf", "the eBPF sensor's programs load and pass the verifier");
        foreach (var check in Cgroup(configuration))
        {
            yield return check;
        }

        yield return Library("libpcap", "libpcap.so.0.8", configuration.Capture.Enabled, "libpcap0.8",
            "network capture (capture.enabled) needs it");
        yield return Iptables(configuration);
    }

    private static DoctorCheck Kernel(string release, bool needsEbpf, string why)
    {
        var digits = new string(release.TakeWhile(c => char.IsAsciiDigit(c) || c == '.').ToArray()).TrimEnd('.');
        if (!Version.TryParse(digits.Count(c => c == '.') == 0 ? digits + ".0" : digits, out var version))
        {
            return DoctorCheck.Warn("kernel", $"cannot read the kernel version from '{release}'", "check that /proc/sys/kernel/osrelease is readable");
        }

        return version >= EbpfKernel
            ? DoctorCheck.Ok("kernel", $"Linux {release}")
            : DoctorCheck.Needed(needsEbpf, "kernel", $"Linux {release} is older than {EbpfKernel}: {why}", "upgrade to a kernel of 5.8 or later");
    }

    private static IEnumerable<DoctorCheck> Cgroup(DaemonConfiguration configuration)
    {
        if (CgroupMount.FindV2WithOptions() is not { } mount)
        {
            yield return DoctorCheck.Needed(configuration.DefaultMode == ProfileMode.Prevent, "cgroup2",
                "no cgroup v2 mount in /proc/mounts: jobs get no cgroup of their own (kills walk the process tree) and the eBPF sensor cannot attach",
                "mount cgroup2 (systemd does with systemd.unified_cgroup_hierarchy=1, or mount -t cgroup2 none /sys/fs/cgroup/unified)");
            yield break;
        }

        yield return configuration.JobCgroups
            ? DoctorCheck.Ok("cgroup2", $"mounted at {mount.Path}; each job gets a cgroup under {Path.Combine(mount.Path, "buildsentry")}")
            : DoctorCheck.Warn("cgroup2", $"mounted at {mount.Path}, but job_cgroups is false: kills walk the process tree", "set job_cgroups: true");
        yield return mount.Options.Split(',').Contains("favordynmods")
            ? DoctorCheck.Ok("favordynmods", "set: moves into job cgroups do not wait")
            : DoctorCheck.Warn("favordynmods", $"{mount.Path} is mounted without favordynmods: a move into a job cgroup can wait an RCU grace period, and a kill that meets one waits too",
                "on Linux 6.18 or later, mount cgroup2 with favordynmods at boot (or cgroup_favordynmods=1 on the kernel command line); "
                + "it is host-wide and makes fork and exit dearer: measure first (docs/operations.md)");
    }

    private static DoctorCheck Library(string name, string file, bool needed, string package, string why)
    {
        if (!NativeLibrary.TryLoad(file, out var handle))
        {
            return DoctorCheck.Needed(needed, name, $"{file} does not load: {why}", $"apt-get install {package}");
        }

        NativeLibrary.Free(handle);
        return DoctorCheck.Ok(name, $"{file} loads");
    }

    private static DoctorCheck Iptables(DaemonConfiguration configuration)
    {
        if (!configuration.Capture.Enabled || !configuration.Capture.KernelAttribution)
        {
            return DoctorCheck.Ok("iptables", "not used: capture.kernel_attribution is off");
        }

        var missing = new[] { "iptables", "ip6tables" }.Where(tool => !OnPath(tool)).ToList();
        return missing.Count == 0
            ? DoctorCheck.Ok("iptables", "iptables and ip6tables found (an NFLOG rule per job cgroup names the job of a flow whose socket is already gone)")
            : DoctorCheck.Warn("iptables", $"{string.Join(" and ", missing)} not found: flows of sockets closed at once may go unattributed",
                "apt-get install iptables, or set capture.kernel_attribution: false");
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':')
            .Append("/usr/sbin").Append("/sbin")
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, tool)));

    public static string ReadOsRelease() =>
        File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : Environment.OSVersion.VersionString;
}
