namespace BuildSentry.Linux.Capture;

public static class PacketSources
{
    /// <summary>Opens live capture (needs root or CAP_NET_RAW) with the kernel filter applied.</summary>
    public static IPacketSource OpenLive(CaptureOptions options) => new LivePacketSource(options);

    /// <summary>Opens a .pcap file; its frames pass the same filter a live capture applies.</summary>
    public static IPacketSource OpenFile(string path, CaptureFilterOptions filter) => new FilePacketSource(path, filter);
}
