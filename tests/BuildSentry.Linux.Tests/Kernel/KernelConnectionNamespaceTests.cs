using BuildSentry.Core.Network;
using BuildSentry.Linux.Attribution;
using BuildSentry.Linux.Tests.Processes;

namespace BuildSentry.Linux.Tests.Kernel;

[Collection(SensorCollection.Name)]
public sealed class KernelConnectionNamespaceTests
{
    /// <summary>In a network namespace of its own, with only its own loopback: it prints its pid, the namespace's
    /// inode and the port it connected to.</summary>
    private const string InNamespace = """
        import os, socket, subprocess
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        socket.create_connection(("127.0.0.1", port)).close()
        print(os.getpid(), os.stat("/proc/self/ns/net").st_ino, port, flush=True)
        """;

    [Fact]
    public void A_member_in_a_network_namespace_of_its_own_is_seen_connecting_there_with_that_namespaces_inode()
    {
        using var harness = new KernelSensorHarness(KernelConnectionTests.Options);
        var go = Path.Combine(Path.GetTempPath(), $"bs-go-{Guid.NewGuid():N}");
        var script = $"""
            while [ ! -e "$GO" ]; do sleep 0.01; done
            exec unshare --net {MemberProcess.Python} -c "$CODE"
            """;
        using var root = Support.Processes.Start("/bin/sh", ["-c", script], new Dictionary<string, string> { ["GO"] = go, ["CODE"] = InNamespace });
        try
        {
            harness.Sensor.SeedJob(root.Id, KernelConnectionTests.Slot);
            File.WriteAllText(go, "");
            var printed = root.StandardOutput.ReadLine()?.Split(' ').Select(ulong.Parse).ToArray();
            Assert.True(root.WaitForExit(TimeSpan.FromSeconds(30)) && root.ExitCode == 0, "the namespace's member failed");
            Assert.NotNull(printed);
            var (pid, netns, port) = ((int)printed[0], printed[1], (int)printed[2]);

            var seen = harness.WaitFor<ConnectionAttempted>(c => c.Attribution.Owner?.Pid == pid && c.Flow.DestinationPort == port);
            Assert.Equal((netns, KernelConnectionTests.JobId), (seen.Attribution.NetworkNamespace, seen.Attribution.KernelJob));
            Assert.NotEqual(SocketOwnerProbe.NetworkNamespace(Environment.ProcessId), netns);
            Assert.Equal(System.Net.IPAddress.Loopback, seen.Flow.Destination);
        }
        finally
        {
            File.Delete(go);
        }
    }
}
