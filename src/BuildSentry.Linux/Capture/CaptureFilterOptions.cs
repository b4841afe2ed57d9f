namespace BuildSentry.Linux.Capture;

public sealed record CaptureFilterOptions
{
    /// <summary>Ports whose UDP and TCP traffic is DNS, both directions.</summary>
    public IReadOnlyList<int> DnsPorts { get; init; } = [53];

    /// <summary>
    /// Drop outbound UDP to port 443 that looks like a QUIC short-header packet (the 1-RTT bulk of a
    /// QUIC connection). A QUIC connection still shows in its long-header Initial packets; the price is
    /// that a non-QUIC flow to UDP 443 whose packets all begin with a byte matching 01xxxxxx stays unseen.
    /// </summary>
    public bool DropQuicShortHeaders { get; init; } = true;
}
