using BuildSentry.Linux.Kernel;
using BuildSentry.Linux.Tests.Processes;

namespace BuildSentry.Linux.Tests.Kernel;

[Collection(SensorCollection.Name)]
public sealed class JobMembershipTests
{
    private const uint Slot = 7;

    /// <summary>Each way out of a process tree runs /bin/true with its name as the first argument.</summary>
    private const string Escapes = """
        while [ ! -e "$GO" ]; do sleep 0.01; done
        /bin/true fork "$M"
        setsid /bin/true setsid "$M"
        ( sh -c '/bin/true double-fork "$M" &' & )
        unshare --pid --fork /bin/true pid-namespace "$M"
        unshare --net /bin/true net-namespace "$M"
        unshare --pid --fork --mount-proc sh -c '/bin/true pid-namespace-grandchild "$M"'
        sleep 0.2
        """;

    [Fact]
    public void The_children_of_a_seeded_root_carry_its_job_through_setsid_double_fork_and_new_pid_and_network_namespaces()
    {
        using var harness = new KernelSensorHarness();
        var marker = $"bs-member-{Guid.NewGuid():N}";
        var go = Path.Combine(Path.GetTempPath(), $"bs-go-{Guid.NewGuid():N}");
        using var root = Support.Processes.Start("/bin/sh", ["-c", Escapes], new Dictionary<string, string> { ["GO"] = go, ["M"] = marker });
        try
        {
            harness.Sensor.SeedJob(root.Id, Slot);
            Assert.True(harness.Sensor.TryGetJob(root.Id, out var seeded) && seeded == Slot);
            File.WriteAllText(go, "");
            using var unrelated = Support.Processes.Start("/bin/true", ["unrelated", marker]);
            unrelated.WaitForExit();
            Assert.True(root.WaitForExit(TimeSpan.FromSeconds(30)), "the tree did not finish");

            string[] escapes = ["fork", "setsid", "double-fork", "pid-namespace", "net-namespace", "pid-namespace-grandchild"];
            foreach (var name in escapes)
            {
                var exec = harness.WaitForRecord(r => r.Kind == KernelRecordKind.Exec && r.Argv is [_, var n, var m] && n == name && m == marker);
                Assert.True(exec.JobSlot == Slot, $"{name}: slot {exec.JobSlot}");
                harness.WaitForRecord(r => r.Kind == KernelRecordKind.Exit && r.Process == exec.Process && r.JobSlot == Slot);
            }

            var stranger = harness.WaitForRecord(r => r.Kind == KernelRecordKind.Exec && r.Argv is [_, "unrelated", var m] && m == marker);
            Assert.Equal(0u, stranger.JobSlot);
            harness.WaitForRecord(r => r.Kind == KernelRecordKind.Exit && r.Process.Pid == root.Id);
            Assert.False(harness.Sensor.TryGetJob(root.Id, out _), "an exited process left the map");
        }
        finally
        {
            File.Delete(go);
        }
    }

    [Fact]
    public void The_members_of_a_slot_are_the_seeded_root_and_every_live_descendant_and_nothing_else()
    {
        using var harness = new KernelSensorHarness();
        // Three sleeping children, forked once the root is seeded: the kernel knows them before any reader does.
        var fifo = Path.Combine(Path.GetTempPath(), $"bs-go-{Guid.NewGuid():N}");
        Support.Processes.Run($"mkfifo {fifo}", TimeSpan.FromSeconds(5));
        using var root = Support.Processes.Start("/bin/sh", ["-c", "read _ < \"$GO\"; sleep 30 & sleep 30 & (sleep 30 &); sleep 30"],
            new Dictionary<string, string> { ["GO"] = fifo });
        using var stranger = Support.Processes.Start("/bin/sleep", ["30"]);
        try
        {
            harness.Sensor.SeedJob(root.Id, Slot);
            harness.Sensor.SeedJob(stranger.Id, Slot + 1);
            File.WriteAllText(fifo, "go\n");

            static string Comm(int pid) => File.Exists($"/proc/{pid}/comm") ? File.ReadAllText($"/proc/{pid}/comm").Trim() : "";
            IReadOnlyList<int> members = [];
            for (var i = 0; i < 300 && (members.Count(pid => Comm(pid) == "sleep") < 4 || members.Count != 5); i++)
            {
                Thread.Sleep(10);
                members = harness.Sensor.MembersOf(Slot);
            }

            // The root and its four sleeps (one forked by a subshell that has exited, and so left the map).
            Assert.Equal(5, members.Count);
            Assert.Contains(root.Id, members);
            Assert.DoesNotContain(stranger.Id, members);
            Assert.Equal(4, members.Count(pid => Comm(pid) == "sleep"));
            Assert.Equal([stranger.Id], harness.Sensor.MembersOf(Slot + 1));
        }
        finally
        {
            foreach (var pid in harness.Sensor.MembersOf(Slot))
            {
                try { System.Diagnostics.Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { }
            }

            stranger.Kill();
            File.Delete(fifo);
        }
    }

    [Fact]
    public void A_cleared_process_forks_children_outside_any_job()
    {
        using var harness = new KernelSensorHarness();
        var marker = $"bs-cleared-{Guid.NewGuid():N}";
        var go = Path.Combine(Path.GetTempPath(), $"bs-go-{Guid.NewGuid():N}");
        const string Script = """
            while [ ! -e "$GO" ]; do sleep 0.01; done
            /bin/true cleared "$M"
            """;
        using var root = Support.Processes.Start("/bin/sh", ["-c", Script], new Dictionary<string, string> { ["GO"] = go, ["M"] = marker });
        try
        {
            harness.Sensor.SeedJob(root.Id, Slot);
            harness.Sensor.ClearJob(root.Id);
            File.WriteAllText(go, "");
            root.WaitForExit();

            var exec = harness.WaitForRecord(r => r.Kind == KernelRecordKind.Exec && r.Argv is [_, "cleared", var m] && m == marker);
            Assert.Equal(0u, exec.JobSlot);
        }
        finally
        {
            File.Delete(go);
        }
    }
}
