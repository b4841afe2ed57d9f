using System.Numerics;

namespace BuildSentry.Linux.Dns;

/// <summary>
/// A fixed-size, lock-free histogram of durations in microseconds: exact below 32 µs, then 16 buckets per power of
/// two (within 6.25 %), so any number of samples costs the same 4 KiB and percentiles are read at any time.
/// </summary>
public sealed class DnsLatencyRecorder
{
    private const int SubBucketBits = 5;
    private const int Exact = 1 << SubBucketBits;
    private const int Half = Exact / 2;
    private const int MaxShift = 32;

    private readonly long[] _counts = new long[Exact + (MaxShift * Half)];
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Record(TimeSpan elapsed)
    {
        var micros = Math.Max(0L, elapsed.Ticks / TimeSpan.TicksPerMicrosecond);
        Interlocked.Increment(ref _counts[IndexOf(micros)]);
        Interlocked.Increment(ref _count);
    }

    /// <summary>The smallest bucket bound at or below which <paramref name="percent"/> % of the samples lie; zero when empty.</summary>
    public TimeSpan Percentile(double percent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percent, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        var counts = new long[_counts.Length];
        long total = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = Interlocked.Read(ref _counts[i]);
            total += counts[i];
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percent / 100 * total));
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return TimeSpan.FromMicroseconds(UpperBoundOf(i));
            }
        }

        return TimeSpan.Zero;
    }

    private static int IndexOf(long micros)
    {
        if (micros < Exact)
        {
            return (int)micros;
        }

        // The shift that leaves the top five bits, whose value is then 16..31.
        var shift = BitOperations.Log2((ulong)micros) - (SubBucketBits - 1);
        return shift > MaxShift
            ? Exact + (MaxShift * Half) - 1
            : Exact + ((shift - 1) * Half) + (int)((micros >> shift) - Half);
    }

    private static long UpperBoundOf(int index)
    {
        if (index < Exact)
        {
            return index;
        }

        var shift = ((index - Exact) / Half) + 1;
        var top = ((index - Exact) % Half) + Half;
        return ((long)(top + 1) << shift) - 1;
    }
}
