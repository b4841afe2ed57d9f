using BuildSentry.Linux.Capture;

namespace BuildSentry.Linux.Tests.Capture;

public sealed class PcapLossTrackerTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    [Fact]
    public void Counters_without_drops_report_no_loss()
    {
        var tracker = new PcapLossTracker();

        Assert.Null(tracker.Observe([new PcapCounters("any", 100, 0, 0)], Now));
        Assert.Null(tracker.Observe([new PcapCounters("any", 250, 0, 0)], Now));
    }

    [Fact]
    public void Growing_drops_report_only_the_new_losses_of_every_device()
    {
        var tracker = new PcapLossTracker();
        tracker.Observe([new PcapCounters("any", 100, 5, 0)], Now);

        var loss = tracker.Observe([new PcapCounters("any", 300, 12, 1), new PcapCounters("eth0", 10, 0, 2)], Now);

        Assert.NotNull(loss);
        Assert.Equal("pcap", loss.Sensor);
        Assert.Equal(7 + 1 + 2, loss.Lost);
        Assert.Contains("any: 7 dropped", loss.Reason, StringComparison.Ordinal);
        Assert.Null(tracker.Observe([new PcapCounters("any", 400, 12, 1), new PcapCounters("eth0", 20, 0, 2)], Now));
    }

    [Fact]
    public void A_counter_that_wrapped_past_two_to_the_32_still_yields_the_true_delta()
    {
        var tracker = new PcapLossTracker();
        tracker.Observe([new PcapCounters("any", 0, uint.MaxValue - 1, 0)], Now);

        var loss = tracker.Observe([new PcapCounters("any", 10, 3, 0)], Now);

        Assert.Equal(5, loss?.Lost);
    }
}
