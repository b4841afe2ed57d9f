namespace BuildSentry.Core.Monitoring;

/// <summary>A latency histogram with fixed buckets (seconds), from 100 µs to 2.5 s: a kill's budget is milliseconds.</summary>
public sealed class LatencyHistogram
{
    public static readonly double[] UpperBounds = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    private readonly long[] _counts = new long[UpperBounds.Length + 1];

    public long Count { get; private set; }

    public double SumSeconds { get; private set; }

    /// <summary>Observations at or below each bound, the last one being +Inf (cumulative, as exposed).</summary>
    public IReadOnlyList<long> Cumulative()
    {
        var cumulative = new long[_counts.Length];
        long running = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            running += _counts[i];
            cumulative[i] = running;
        }

        return cumulative;
    }

    public void Record(TimeSpan latency)
    {
        var seconds = Math.Max(0, latency.TotalSeconds);
        var bucket = Array.FindIndex(UpperBounds, bound => seconds <= bound);
        _counts[bucket < 0 ? UpperBounds.Length : bucket]++;
        Count++;
        SumSeconds += seconds;
    }
}
