using BuildSentry.Core.Events;
using BuildSentry.Linux.Tests.Processes;
using Xunit.Abstractions;

namespace BuildSentry.Linux.Tests.Kernel;

[Collection(SensorCollection.Name)]
public sealed class ExecStormTests(ITestOutputHelper output)
{
    private const int Execs = 2_000;

    [Fact]
    public void Every_exec_of_a_storm_under_busy_cores_is_seen_with_its_filename_and_argv()
    {
        using var harness = new KernelSensorHarness();
        var marker = $"bs-storm-{Guid.NewGuid():N}";
        var cpuBefore = ReaderCpuTicks(harness.Sensor);
        var busy = Enumerable.Range(0, Environment.ProcessorCount)
            .Select(_ => Support.Processes.Start("/bin/sh", ["-c", "while :; do :; done"])).ToList();
        try
        {
            using var storm = Support.Processes.Start("/bin/sh", ["-c", $"i=0; while [ $i -lt {Execs} ]; do /bin/true {marker} $i; i=$((i+1)); done"]);
            Assert.True(storm.WaitForExit(TimeSpan.FromMinutes(3)), "the storm did not end within 3 minutes");
        }
        finally
        {
            foreach (var loop in busy)
            {
                loop.Kill();
                loop.WaitForExit();
                loop.Dispose();
            }
        }

        harness.Eventually(() => StormExecs(harness.Events, marker).Count >= Execs, TimeSpan.FromSeconds(30), $"{Execs} execs");
        var execs = StormExecs(harness.Events, marker);
        var cpuMs = (ReaderCpuTicks(harness.Sensor) - cpuBefore) * 1000.0 / Linux.Interop.SysConf.ClockTicksPerSecond;
        output.WriteLine($"{execs.Count} storm execs seen; counters {harness.Sensor.Counters}; reader thread CPU {cpuMs:F0} ms");
        Assert.Equal(Execs, execs.Count);
        Assert.All(execs, e => Assert.Equal("/bin/true", e.Details.Exe));
        Assert.Equal(Enumerable.Range(0, Execs).Select(i => $"{i}").ToHashSet(), execs.Select(e => e.Details.Argv[2]).ToHashSet());
        Assert.Equal(0, harness.Sensor.Counters.ExecsUnread);
        Assert.Equal(0, harness.Sensor.Counters.EventsLost);
        Assert.DoesNotContain(harness.Events, e => e is SensorLoss);
    }

    /// <summary>utime + stime (fields 14 and 15) of the reader thread.</summary>
    private static long ReaderCpuTicks(Linux.Kernel.KernelProcessSensor sensor)
    {
        var fields = Support.StatFields.OfThread(sensor.ReaderThreadId);
        return long.Parse(fields[14 - 3], System.Globalization.CultureInfo.InvariantCulture)
            + long.Parse(fields[15 - 3], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static List<ProcessExecuted> StormExecs(IEnumerable<SensorEvent> events, string marker) =>
        events.OfType<ProcessExecuted>().Where(e => e.Details.Argv is [_, var m, _] && m == marker).ToList();
}
