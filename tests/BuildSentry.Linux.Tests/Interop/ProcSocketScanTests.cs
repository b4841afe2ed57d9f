using System.Net;
using System.Net.Sockets;
using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Tests.Interop;

public sealed class ProcSocketScanTests
{
    [Fact]
    public void Finds_the_descriptor_that_holds_a_socket_of_this_process()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var fd = (int)socket.SafeHandle.DangerousGetHandle();

        Assert.Equal(fd, ProcSocketScan.FindSocket("/proc", Environment.ProcessId, InodeOf(fd)));
    }

    [Fact]
    public void Finds_a_socket_past_the_first_directory_buffer()
    {
        // ~600 descriptors list as more than one 8 KiB getdents64 buffer: the newest socket is in a later batch.
        var sockets = Enumerable.Range(0, 600).Select(_ => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)).ToList();
        try
        {
            var last = (int)sockets[^1].SafeHandle.DangerousGetHandle();
            Assert.Equal(last, ProcSocketScan.FindSocket("/proc", Environment.ProcessId, InodeOf(last)));
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public void A_socket_nobody_holds_or_a_vanished_process_is_not_found()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var inode = InodeOf((int)socket.SafeHandle.DangerousGetHandle());
        using var child = System.Diagnostics.Process.Start("true")!;
        child.WaitForExit();

        Assert.Equal(-1, ProcSocketScan.FindSocket("/proc", Environment.ProcessId, inode + 1_000_000));
        Assert.Equal(-1, ProcSocketScan.FindSocket("/proc", child.Id, inode));
        Assert.Equal(-1, ProcSocketScan.FindSocket("/nonexistent", Environment.ProcessId, inode));
    }

    private static uint InodeOf(int fd)
    {
        var link = new FileInfo($"/proc/self/fd/{fd}").LinkTarget!;
        Assert.StartsWith("socket:[", link, StringComparison.Ordinal);
        return uint.Parse(link.AsSpan(8, link.Length - 9), System.Globalization.CultureInfo.InvariantCulture);
    }
}
