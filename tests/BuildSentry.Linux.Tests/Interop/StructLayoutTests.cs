using System.Runtime.InteropServices;
using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Tests.Interop;

/// <summary>Sizes and offsets as the kernel headers give them (checked with gcc against linux/cn_proc.h).</summary>
public sealed class StructLayoutTests
{
    [Fact]
    public unsafe void Netlink_structs_have_the_kernel_sizes()
    {
        Assert.Equal(16, sizeof(NlMsgHdr));
        Assert.Equal(NlMsgHdr.Size, sizeof(NlMsgHdr));
        Assert.Equal(20, sizeof(CnMsg));
        Assert.Equal(CnMsg.Size, sizeof(CnMsg));
        Assert.Equal(12, sizeof(SockAddrNl));
        Assert.Equal(16, sizeof(ProcEventHeader));
        Assert.Equal(40, ProcEventHeader.EventSize);
        Assert.Equal(4, sizeof(ProcEventType));
    }

    [Fact]
    public void Fields_sit_at_the_kernel_offsets()
    {
        Assert.Equal(8, (int)Marshal.OffsetOf<CnMsg>(nameof(CnMsg.Seq)));
        Assert.Equal(16, (int)Marshal.OffsetOf<CnMsg>(nameof(CnMsg.Len)));
        Assert.Equal(4, (int)Marshal.OffsetOf<ProcEventHeader>(nameof(ProcEventHeader.Cpu)));
        Assert.Equal(8, (int)Marshal.OffsetOf<ProcEventHeader>(nameof(ProcEventHeader.TimestampNs)));
        Assert.Equal(4, (int)Marshal.OffsetOf<SockAddrNl>(nameof(SockAddrNl.Pid)));
        Assert.Equal(8, (int)Marshal.OffsetOf<SockAddrNl>(nameof(SockAddrNl.Groups)));
    }
}
