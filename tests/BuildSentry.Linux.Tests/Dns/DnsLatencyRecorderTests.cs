using BuildSentry.Linux.Dns;

namespace BuildSentry.Linux.Tests.Dns;

public sealed class DnsLatencyRecorderTests
{
    [Fact]
    public void Percentiles_are_read_from_the_samples_within_the_bucket_precision()
    {
        var recorder = new DnsLatencyRecorder();
        for (var micros = 1; micros <= 1000; micros++)
        {
            recorder.Record(TimeSpan.FromMicroseconds(micros));
        }

        Assert.Equal(1000, recorder.Count);
        Assert.InRange(recorder.Percentile(50).TotalMicroseconds, 500, 500 * 1.0625);
        Assert.InRange(recorder.Percentile(99).TotalMicroseconds, 990, 990 * 1.0625);
        Assert.Equal(1, recorder.Percentile(0).TotalMicroseconds);
        Assert.InRange(recorder.Percentile(100).TotalMicroseconds, 1000, 1000 * 1.0625);
    }

    [Fact]
    public void An_empty_recorder_reads_zero_and_extreme_samples_stay_in_range()
    {
        var recorder = new DnsLatencyRecorder();
        Assert.Equal(TimeSpan.Zero, recorder.Percentile(99));

        recorder.Record(TimeSpan.FromTicks(-5));
        recorder.Record(TimeSpan.MaxValue);

        Assert.Equal(TimeSpan.Zero, recorder.Percentile(50));
        Assert.True(recorder.Percentile(100) > TimeSpan.FromHours(1));
    }
}
