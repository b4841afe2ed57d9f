using System.Diagnostics;
using System.Globalization;

namespace BuildSentry.Linux.Attribution;

/// <summary>
/// The daemon's netfilter rules, through iptables and ip6tables: a chain of its own, entered from OUTPUT for
/// connection attempts (TCP SYN), DNS queries and the first datagram of every new UDP flow, holding one NFLOG rule per cgroup slot (jobs' cgroups are created in slots) that matches it and its descendants
/// (xt_cgroup, which matches the socket's cgroup, so a process that has already closed the socket was still
/// named by the kernel when the packet left). The chain carries the daemon's pid, so a later daemon can tell
/// a crashed one's leftovers from a live daemon's rules (and its NFLOG group, so two daemons' chains differ).
/// </summary>
internal sealed class NetfilterJobRules(ushort group, IReadOnlyCollection<int> dnsPorts)
{
    public const string ChainPrefix = "BUILDSENTRY-";
    private static readonly string[] Tools = ["iptables", "ip6tables"];

    public string Chain { get; } = $"{ChainPrefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{group.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Creates the chain and its jumps in both families; returns the first error, or null.</summary>
    public string? Install()
    {
        foreach (var tool in Tools)
        {
            RemoveStale(tool);
            var error = Run(tool, "-w", "-N", Chain);
            foreach (var jump in Jumps())
            {
                error ??= Run(tool, ["-w", "-I", "OUTPUT", "1", .. jump]);
            }

            if (error is not null)
            {
                Uninstall();
                return error;
            }
        }

        return null;
    }

    public void Uninstall()
    {
        foreach (var tool in Tools)
        {
            Remove(tool, Chain);
        }
    }

    public string? Add(int tag, string cgroupPath) => RunBoth("-A", tag, cgroupPath);

    public static string Prefix(int tag) => "bsjob:" + tag.ToString(CultureInfo.InvariantCulture);

    private string? RunBoth(string operation, int tag, string cgroupPath)
    {
        string? error = null;
        foreach (var tool in Tools)
        {
            error ??= Run(tool, "-w", operation, Chain, "-m", "cgroup", "--path", cgroupPath, "-j", "NFLOG",
                "--nflog-group", group.ToString(CultureInfo.InvariantCulture), "--nflog-prefix", Prefix(tag),
                "--nflog-size", "128", "--nflog-threshold", "1");
        }

        return error;
    }

    private IEnumerable<string[]> Jumps()
    {
        yield return ["-p", "tcp", "--syn", "-j", Chain];
        foreach (var port in dnsPorts)
        {
            yield return ["-p", "udp", "--dport", port.ToString(CultureInfo.InvariantCulture), "-j", Chain];
        }

        // The first datagram of every other new UDP flow: a one-shot sender has closed its socket before user space can
        // look it up. DNS ports are left to the jumps above, which log every query (many share one flow), so that no
        // packet is logged twice; multiport takes at most 15 ports.
        yield return ["-p", "udp", "-m", "conntrack", "--ctstate", "NEW", "-m", "multiport", "!", "--dports",
            string.Join(',', dnsPorts.Take(15).Select(p => p.ToString(CultureInfo.InvariantCulture))), "-j", Chain];
    }

    private void Remove(string tool, string chain)
    {
        foreach (var rule in (Output(tool, "-w", "-S", "OUTPUT") ?? "").Split('\n'))
        {
            if (rule.StartsWith("-A OUTPUT ", StringComparison.Ordinal) && rule.EndsWith("-j " + chain, StringComparison.Ordinal))
            {
                Run(tool, ["-w", "-D", .. rule["-A ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
            }
        }

        Run(tool, "-w", "-F", chain);
        Run(tool, "-w", "-X", chain);
    }

    /// <summary>Chains of daemons that are no longer running (a crash, a kill -9): their rules log to nobody.</summary>
    private void RemoveStale(string tool)
    {
        foreach (var line in (Output(tool, "-w", "-S") ?? "").Split('\n'))
        {
            var owner = line.StartsWith("-N " + ChainPrefix, StringComparison.Ordinal) ? line[(3 + ChainPrefix.Length)..].Split('-')[0] : "";
            if (int.TryParse(owner, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && !Directory.Exists($"/proc/{pid}"))
            {
                Remove(tool, line[3..]);
            }
        }
    }

    private static string? Run(string tool, params string[] arguments)
    {
        var (exit, _, error) = Execute(tool, arguments);
        return exit == 0 ? null : $"{tool} {string.Join(' ', arguments)}: {error.Trim()}";
    }

    private static string? Output(string tool, params string[] arguments)
    {
        var (exit, output, _) = Execute(tool, arguments);
        return exit == 0 ? output : null;
    }

    private static (int Exit, string Output, string Error) Execute(string tool, string[] arguments)
    {
        try
        {
            using var process = Process.Start(Start(tool, arguments));
            if (process is null)
            {
                return (-1, "", "could not start");
            }

            // iptables writes little; stderr is read asynchronously so neither pipe can fill while the other is read.
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output, error.GetAwaiter().GetResult());
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, "", ex.Message);
        }
    }

    private static ProcessStartInfo Start(string tool, string[] arguments)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }
}
