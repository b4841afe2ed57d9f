using BuildSentry.Core.Monitoring;

namespace BuildSentry.Core.Tests.Monitoring;

public sealed class ConnectionSightingsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_connection_reported_by_the_kernel_and_then_by_the_capture_is_judged_once()
    {
        var sightings = new ConnectionSightings();

        Assert.False(sightings.IsSecond("198.18.0.66|80|Tcp", T0, atSyscall: true));
        Assert.True(sightings.IsSecond("198.18.0.66|80|Tcp", T0.AddMilliseconds(1), atSyscall: false));
    }

    [Fact]
    public void The_capture_may_report_first()
    {
        var sightings = new ConnectionSightings();

        Assert.False(sightings.IsSecond("198.18.0.66|80|Tcp", T0, atSyscall: false));
        Assert.True(sightings.IsSecond("198.18.0.66|80|Tcp", T0.AddMilliseconds(3), atSyscall: true));
    }

    [Fact]
    public void Two_connections_seen_by_both_sources_in_any_order_are_two()
    {
        var sightings = new ConnectionSightings();
        var firsts = new[] { (true, 0), (true, 1), (false, 2), (false, 3) }
            .Count(s => !sightings.IsSecond("d|443|Tcp", T0.AddMilliseconds(s.Item2), s.Item1));

        Assert.Equal(2, firsts);
    }

    [Fact]
    public void Connections_only_one_source_saw_are_each_judged()
    {
        var sightings = new ConnectionSightings();

        Assert.False(sightings.IsSecond("d|443|Tcp", T0, atSyscall: true));
        Assert.False(sightings.IsSecond("d|443|Tcp", T0.AddMilliseconds(5), atSyscall: true));
        Assert.False(sightings.IsSecond("e|443|Tcp", T0.AddMilliseconds(6), atSyscall: false));
    }

    [Fact]
    public void A_sighting_long_after_the_other_is_a_new_connection()
    {
        var sightings = new ConnectionSightings();

        Assert.False(sightings.IsSecond("d|443|Tcp", T0, atSyscall: true));
        Assert.False(sightings.IsSecond("d|443|Tcp", T0 + ConnectionSightings.Window + TimeSpan.FromMilliseconds(1), atSyscall: false));
    }

    [Fact]
    public void After_thousands_of_destinations_a_recent_pair_still_matches()
    {
        var sightings = new ConnectionSightings();
        for (var i = 0; i < 10_000; i++)
        {
            sightings.IsSecond($"10.0.{i / 256}.{i % 256}|80|Tcp", T0.AddSeconds(i), atSyscall: true);
        }

        Assert.False(sightings.IsSecond("d|443|Tcp", T0.AddSeconds(20_000), atSyscall: true));
        Assert.True(sightings.IsSecond("d|443|Tcp", T0.AddSeconds(20_000), atSyscall: false));
    }
}
