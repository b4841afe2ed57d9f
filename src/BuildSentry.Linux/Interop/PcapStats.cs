using System.Runtime.InteropServices;
using SharpPcap.LibPcap;

namespace BuildSentry.Linux.Interop;

/// <summary>
/// pcap_stats with libpcap's real struct pcap_stat (three u_int). SharpPcap's own struct uses IntPtr
/// fields, which on 64-bit Linux reads garbage into its dropped count.
/// </summary>
internal static partial class PcapStats
{
    [StructLayout(LayoutKind.Sequential)]
    internal struct PcapStat
    {
        public uint Received;
        public uint Dropped;
        public uint InterfaceDropped;
    }

    [LibraryImport("libpcap.so.0.8", EntryPoint = "pcap_stats")]
    private static partial int NativePcapStats(IntPtr pcap, out PcapStat stats);

    /// <summary>The device's counters since it was opened; they wrap at 2^32 like libpcap's.</summary>
    public static PcapStat Read(PcapHandle handle)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (NativePcapStats(handle.DangerousGetHandle(), out var stats) != 0)
                throw new InvalidOperationException("pcap_stats failed on an open capture.");
            return stats;
        }
        finally
        {
            if (added)
                handle.DangerousRelease();
        }
    }
}
