namespace BuildSentry.Linux.Processes;

/// <summary>
/// Counts proc connector messages lost in transit: the kernel numbers them with a counter per CPU, so
/// a jump between two messages from the same CPU is the number that never reached the socket.
/// </summary>
internal sealed class SequenceTracker
{
    private readonly Dictionary<uint, uint> _last = [];

    /// <summary>Returns how many messages from <paramref name="cpu"/> were skipped before this one.</summary>
    public long Observe(uint cpu, uint seq)
    {
        if (!_last.TryGetValue(cpu, out var last))
        {
            _last[cpu] = seq;
            return 0;
        }

        _last[cpu] = seq;
        var gap = unchecked(seq - last - 1);

        // A step backwards (or the same number again) is not loss; the counter restarts only with the kernel,
        // so it is treated as a new baseline rather than four billion lost messages.
        return gap < int.MaxValue ? gap : 0;
    }
}
