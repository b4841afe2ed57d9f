using System.Diagnostics;

namespace BuildSentry.Linux.Tests.Decoding;

/// <summary>
/// Runs a parser over many seeded inputs, turning any exception into a failure that names the
/// input, and bounding both the whole run and the slowest single input.
/// </summary>
internal static class FuzzCampaign
{
    public static readonly TimeSpan RunBound = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan InputBound = TimeSpan.FromMilliseconds(200);

    public static void Run(int seed, int count, Func<Mutator, byte[]> generate, Action<byte[]> parse)
    {
        var mutator = new Mutator(seed);
        var run = Stopwatch.StartNew();
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < count; i++)
        {
            var input = generate(mutator);
            var start = Stopwatch.GetTimestamp();
            try
            {
                parse(input);
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed}, input {i}: {Convert.ToHexString(input)}\n{e}");
            }

            var elapsed = Stopwatch.GetElapsedTime(start);
            slowest = elapsed > slowest ? elapsed : slowest;
        }

        Assert.True(run.Elapsed < RunBound, $"{count} inputs took {run.Elapsed}");
        Assert.True(slowest < InputBound, $"slowest input took {slowest}");
    }

    public static T Pick<T>(this Mutator mutator, IReadOnlyList<T> items) => items[mutator.Random.Next(items.Count)];
}
