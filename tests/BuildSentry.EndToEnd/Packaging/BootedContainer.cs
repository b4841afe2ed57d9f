using System.Diagnostics;
using BuildSentry.Testing;

namespace BuildSentry.EndToEnd.Packaging;

/// <summary>
/// A Debian tree booted with systemd-nspawn --boot: its own systemd as PID 1, no network but loopback, the tree read-only
/// under a tmpfs overlay. It runs in a cgroup of its own under the host's cgroup2 mount, so that its systemd, and a
/// daemon in it attaching BPF programs at its cgroup root, reach only the container's processes. Commands run in it
/// through nsenter into its PID 1's namespaces (this host's PID 1 is no systemd, so there is no machinectl).
/// </summary>
public sealed class BootedContainer : IAsyncDisposable
{
    private readonly Process _nspawn;
    private readonly Task<string[]> _console;
    private readonly string _cgroup;

    private BootedContainer(Process nspawn, string cgroup)
    {
        _nspawn = nspawn;
        // Read all along: a console nobody reads would block the container's boot messages.
        _console = Task.WhenAll(nspawn.StandardOutput.ReadToEndAsync(), nspawn.StandardError.ReadToEndAsync());
        _cgroup = cgroup;
    }

    /// <summary>The container's PID 1 (systemd) as this host sees it.</summary>
    public int Leader { get; private set; }

    /// <summary>Boots <paramref name="tree"/> with host directories bound in (host path, container path, writable).</summary>
    public static async Task<BootedContainer> BootAsync(string tree, params (string Host, string Container, bool Writable)[] binds)
    {
        Requirements.Tool("systemd-nspawn", "systemd-container");
        Requirements.Tool("nsenter", "util-linux");
        var name = $"buildsentry-test-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40];
        var cgroup = Path.Combine(CgroupMounts.Unified(), name);
        Directory.CreateDirectory(cgroup);
        string[] arguments =
        [
            "-D", tree, "--volatile=overlay", "--register=no", "--keep-unit", "--boot", "--private-network", "-M", name,
            // The daemon's eBPF sensor: nspawn's own seccomp filter and capability set leave these out.
            "--capability=CAP_BPF,CAP_PERFMON", "--system-call-filter=bpf perf_event_open",
            .. binds.Select(b => $"--bind{(b.Writable ? "" : "-ro")}={b.Host}:{b.Container}"),
        ];
        // The shell moves itself into the container's cgroup and becomes nspawn.
        var nspawn = Command.Start("/bin/sh", ["-c", "echo $$ > \"$0/cgroup.procs\" && exec systemd-nspawn \"$@\"", cgroup, .. arguments]);
        var container = new BootedContainer(nspawn, cgroup);
        try
        {
            container.Leader = await container.LeaderAsync();
            await container.WaitForBootAsync();
            return container;
        }
        catch
        {
            await container.DisposeAsync();
            throw;
        }
    }

    public Task<CommandResult> ExecAsync(IEnumerable<string> command, TimeSpan? timeout = null) =>
        Command.RunAsync("nsenter", ["-t", Leader.ToString(System.Globalization.CultureInfo.InvariantCulture), "-a", "--", .. command], timeout);

    /// <summary>Runs a command that must succeed and returns its standard output.</summary>
    public async Task<string> RunAsync(params string[] command)
    {
        var result = await ExecAsync(command, TimeSpan.FromMinutes(2));
        return result.Succeeded ? result.StandardOutput : throw new InvalidOperationException($"{string.Join(' ', command)} failed: {result}");
    }

    /// <summary>The host's pid of a process the container knows as <paramref name="containerPid"/>.</summary>
    public int HostPid(int containerPid)
    {
        var pidNamespace = new FileInfo($"/proc/{Leader}/ns/pid").LinkTarget;
        var inContainer = containerPid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                var nspid = File.ReadLines($"{directory}/status").FirstOrDefault(l => l.StartsWith("NSpid:", StringComparison.Ordinal));
                if (nspid?.Split('\t', StringSplitOptions.RemoveEmptyEntries) is [_, _, var inner, ..] && inner == inContainer
                    && new FileInfo($"{directory}/ns/pid").LinkTarget == pidNamespace)
                {
                    return pid;
                }
            }
            catch (IOException)
            {
                // Exited while being read.
            }
        }

        throw new InvalidOperationException($"no host process is pid {containerPid} in the container");
    }

    public async ValueTask DisposeAsync()
    {
        if (Leader != 0)
        {
            await ExecAsync(["systemctl", "poweroff"], TimeSpan.FromSeconds(10));
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _nspawn.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            _nspawn.Kill(entireProcessTree: true);
            await _nspawn.WaitForExitAsync();
        }

        _nspawn.Dispose();
        CgroupMounts.RemoveTree(_cgroup);
    }

    /// <summary>Waits until the container's systemd has started what it boots (running, or degraded by a unit of its own).</summary>
    private async Task WaitForBootAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var running = await ExecAsync(["systemctl", "is-system-running", "--wait"], TimeSpan.FromSeconds(90));
            if (running.StandardOutput.Trim() is "running" or "degraded")
            {
                return;
            }

            // Until PID 1 has its private socket, systemctl cannot reach it.
            if (DateTime.UtcNow > deadline || !running.StandardError.Contains("Failed to connect to bus", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"the container did not finish booting: {running}");
            }

            await Task.Delay(100);
        }
    }

    private async Task<int> LeaderAsync()
    {
        var nspawn = _nspawn;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline && !nspawn.HasExited)
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{nspawn.Id}/task"))
            {
                var children = File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (children.FirstOrDefault() is { } child && File.ReadAllText($"/proc/{child}/comm").Trim() == "systemd")
                {
                    return int.Parse(child, System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            await Task.Delay(100);
        }

        var console = nspawn.HasExited ? string.Join('\n', await _console) : "(still running)";
        throw new InvalidOperationException($"systemd-nspawn started no systemd: {console}");
    }
}
