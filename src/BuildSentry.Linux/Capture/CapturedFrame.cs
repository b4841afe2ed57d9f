using PacketDotNet;

namespace BuildSentry.Linux.Capture;

/// <summary>
/// One link-layer frame as the kernel handed it over. <see cref="Data"/> points into libpcap's ring
/// buffer and is valid only during the handler call: copy what must outlive it.
/// </summary>
public readonly ref struct CapturedFrame(DateTimeOffset time, LinkLayers linkType, ReadOnlySpan<byte> data, int originalLength)
{
    public DateTimeOffset Time { get; } = time;

    public LinkLayers LinkType { get; } = linkType;

    /// <summary>The captured bytes, at most the snap length.</summary>
    public ReadOnlySpan<byte> Data { get; } = data;

    /// <summary>The frame's length on the wire, which exceeds <see cref="Data"/> when the snap length cut it.</summary>
    public int OriginalLength { get; } = originalLength;
}
