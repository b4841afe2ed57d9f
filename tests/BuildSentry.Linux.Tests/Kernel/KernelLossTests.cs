using System.Threading.Channels;
using BuildSentry.Core.Events;
using BuildSentry.Linux.Kernel;
using BuildSentry.Linux.Tests.Processes;

namespace BuildSentry.Linux.Tests.Kernel;

[Collection(SensorCollection.Name)]
public sealed class KernelLossTests
{
    [Fact]
    public void Records_that_do_not_fit_a_tiny_ring_are_counted_in_the_kernel_reported_and_followed_by_a_rescan()
    {
        using var open = new ManualResetEventSlim(false);
        var gated = new GatedWriter(open);
        using var harness = new KernelSensorHarness(new KernelProcessSensorOptions { RingBytes = 4096, MinRescanInterval = TimeSpan.Zero }, gated);

        // The reader is held at its first event (the start scan) while 200 processes come and go: a page holds a few dozen records.
        Support.Processes.Run("i=0; while [ $i -lt 200 ]; do /bin/true; i=$((i+1)); done", TimeSpan.FromMinutes(1));
        open.Set();

        harness.Eventually(() => gated.Events.Any(e => e is ProcessRescanned { Reason: "loss" }), TimeSpan.FromSeconds(20), "a loss rescan");
        var loss = gated.Events.OfType<SensorLoss>().First();
        Assert.Equal((KernelProcessSensor.SensorName, "ring-full"), (loss.Sensor, loss.Reason));
        Assert.True(loss.Lost > 0);
        var events = gated.Events.ToList();
        Assert.Contains(events.Skip(events.IndexOf(loss) + 1), e => e is ProcessRescanned { Reason: "loss" });
        Assert.True(harness.Sensor.Counters.EventsLost >= loss.Lost, $"{harness.Sensor.Counters}");
    }

    [Fact]
    public void A_members_connections_that_do_not_fit_a_full_ring_are_reported_lost_as_connections()
    {
        using var open = new ManualResetEventSlim(false);
        var gated = new GatedWriter(open);
        using var harness = new KernelSensorHarness(new KernelProcessSensorOptions { RingBytes = 4096, MinRescanInterval = TimeSpan.Zero }, gated);
        const string Send = "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); [s.sendto(b'x', (f'127.0.0.{i}', 9)) for i in range(1, 21)]";
        var script = $"""
            while [ ! -e "$GO" ]; do sleep 0.01; done
            i=0; while [ $i -lt 100 ]; do /bin/true; i=$((i+1)); done
            {MemberProcess.Python} -c "{Send}"
            """;
        var go = Path.Combine(Path.GetTempPath(), $"bs-go-{Guid.NewGuid():N}");
        using var member = Support.Processes.Start("/bin/sh", ["-c", script], new Dictionary<string, string> { ["GO"] = go });
        try
        {
            // The reader is held at its first event while the member's processes fill the ring ahead of its datagrams.
            harness.Sensor.SeedJob(member.Id, KernelConnectionTests.Slot);
            File.WriteAllText(go, "");
            Assert.True(member.WaitForExit(TimeSpan.FromMinutes(1)), "the member did not finish");
            open.Set();

            harness.Eventually(() => gated.Events.Any(e => e is SensorLoss { Reason: "connection-ring-full" }), TimeSpan.FromSeconds(20), "a connection loss");
            Assert.InRange(gated.Events.OfType<SensorLoss>().First(l => l.Reason == "connection-ring-full").Lost, 1, 20);
        }
        finally
        {
            File.Delete(go);
        }
    }

    private sealed class GatedWriter(ManualResetEventSlim open) : ChannelWriter<SensorEvent>
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<SensorEvent> _events = new();

        public IEnumerable<SensorEvent> Events => _events;

        public override bool TryWrite(SensorEvent item)
        {
            open.Wait();
            _events.Enqueue(item);
            return true;
        }

        public override ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(true);
    }
}
