using BuildSentry.Core.Events;
using BuildSentry.Linux.Kernel;
using BuildSentry.Linux.Tests.Processes;

namespace BuildSentry.Linux.Tests.Kernel;

[Collection(SensorCollection.Name)]
public sealed class KernelSensorLifecycleTests
{
    [Fact]
    public void Programs_the_kernel_refuses_give_no_sensor_and_a_reason_to_fall_back_on()
    {
        Support.Root.Require();
        var writer = System.Threading.Channels.Channel.CreateUnbounded<SensorEvent>().Writer;

        var sensor = KernelProcessSensor.TryCreate(writer, out var reason, options: new KernelProcessSensorOptions { JobEntries = 0 });

        Assert.Null(sensor);
        Assert.Contains("loading the BPF programs", reason);
    }

    [Fact]
    public void The_sensor_is_caught_up_once_it_has_drained_what_the_programs_wrote_and_pending_until_then()
    {
        using var harness = new KernelSensorHarness(new KernelProcessSensorOptions { DrainInterval = TimeSpan.FromMilliseconds(500) });
        harness.Eventually(harness.Sensor.IsCaughtUp, TimeSpan.FromSeconds(5), "caught up");
        using var child = Support.Processes.Start("/bin/true", []);
        child.WaitForExit();

        var exited = DateTimeOffset.UtcNow;
        Assert.True(harness.Sensor.KernelHasPending || harness.Events.OfType<ProcessExited>().Any(x => x.Process.Pid == child.Id));
        harness.WaitFor<ProcessExited>(x => x.Process.Pid == child.Id);
        harness.Eventually(() => harness.Sensor.CaughtUpUntil() >= exited, TimeSpan.FromSeconds(5), "caught up past the exit");
    }
}
