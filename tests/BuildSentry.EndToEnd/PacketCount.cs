using System.Diagnostics;
using BuildSentry.Testing;

namespace BuildSentry.EndToEnd;

/// <summary>tcpdump on the lab's uplink (bslab0, the host's side of the veth to the lab's servers), counting the packets
/// that match a filter from start to <see cref="StopAsync"/>: what left the host.</summary>
internal sealed class PacketCount : IAsyncDisposable
{
    public const string Uplink = "bslab0";
    private readonly Process _tcpdump;
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"bs-e2e-{Guid.NewGuid():N}.pcap");

    // The kernel's own ARP and IPv6 neighbour discovery for a lab host's address (an entry going stale after an earlier
    // test reached it) carries nothing of a job's: "host" filters match it, and it is no packet that left a job.
    private const string NotNeighbourDiscovery = "not arp and not (icmp6 and ip6[40] >= 133 and ip6[40] <= 137)";

    private PacketCount(string filter)
    {
        _tcpdump = Command.Start("tcpdump", ["-i", Uplink, "-n", "-U", "--immediate-mode", "-w", _file, $"({filter}) and {NotNeighbourDiscovery}"]);
    }

    public static async Task<PacketCount> StartAsync(string filter)
    {
        var count = new PacketCount(filter);
        // tcpdump says "listening on ..." once the capture is open.
        var line = await count._tcpdump.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        if (line?.Contains("listening on", StringComparison.Ordinal) != true)
        {
            throw new InvalidOperationException($"tcpdump did not start: {line}");
        }

        return count;
    }

    /// <summary>Stops the capture; the packets it wrote, each as tcpdump prints it.</summary>
    public async Task<IReadOnlyList<string>> StopAsync()
    {
        await Task.Delay(200); // the last packets reach the capture
        Syscall.Interrupt(_tcpdump.Id);
        await _tcpdump.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var read = await Command.RunAsync("tcpdump", ["-r", _file, "-n"]);
        return [.. read.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    public async ValueTask DisposeAsync()
    {
        if (!_tcpdump.HasExited)
        {
            _tcpdump.Kill();
            await _tcpdump.WaitForExitAsync();
        }

        _tcpdump.Dispose();
        File.Delete(_file);
    }
}
