namespace BuildSentry.Linux.Capture;

/// <summary>
/// Frames from live interfaces or from a capture file, through the same kernel filter, so that a
/// replayed file takes the decode path a live capture takes.
/// </summary>
public interface IPacketSource : IDisposable
{
    /// <summary>
    /// Delivers frames to <paramref name="handler"/> until <paramref name="cancellationToken"/> fires
    /// or, for a file, until its end. Blocks the calling thread; call it once. A live source calls
    /// <paramref name="idle"/> (never beside the handler) when no frame came within its read timeout.
    /// </summary>
    void Run(FrameHandler handler, CancellationToken cancellationToken, Action? idle = null);

    /// <summary>libpcap's counters per device; empty for a file, where nothing can be dropped.</summary>
    IReadOnlyList<PcapCounters> ReadCounters();
}
