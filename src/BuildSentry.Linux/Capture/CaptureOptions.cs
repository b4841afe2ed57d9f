namespace BuildSentry.Linux.Capture;

public sealed record CaptureOptions
{
    /// <summary>Interfaces to capture on; "any" sees every interface of the daemon's network namespace.</summary>
    public IReadOnlyList<string> Interfaces { get; init; } = ["any"];

    /// <summary>Large enough for a TLS ClientHello in one segment, including post-quantum key shares.</summary>
    public int SnapLength { get; init; } = 4096;

    /// <summary>
    /// The kernel ring buffer in bytes; drops show up as <see cref="Core.Events.SensorLoss"/>. libpcap maps it into
    /// the daemon twice, so it counts double in RSS. At 4 MB it still holds ~950 frames of the snap length (fixed slots
    /// in immediate mode), far more than the filter passes while the capture thread attributes one flow.
    /// </summary>
    public int BufferSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>How often the capture loop wakes up to notice cancellation when no packet arrives.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromMilliseconds(250);

    public CaptureFilterOptions Filter { get; init; } = new();
}
