using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text.Unicode;
using BuildSentry.Linux.Attribution;
using static Tmds.Linux.LibC;

namespace BuildSentry.Linux.Interop;

/// <summary>
/// Sockets made inside another process's network namespace (named by its inode, as /proc/PID/ns/net and the BPF
/// programs' ns.inum name it): a socket stays in the namespace it was created in, whichever thread uses it after.
/// </summary>
public static unsafe class NetworkNamespace
{
    /// <summary>The inode of <paramref name="pid"/>'s network namespace; null when the process is gone.</summary>
    public static uint? InodeOf(int pid) => (uint?)SocketOwnerProbe.NetworkNamespace(pid);

    /// <summary>
    /// Runs <paramref name="create"/> on a thread of its own that has entered the network namespace of
    /// <paramref name="pid"/>, provided that is still namespace <paramref name="inode"/> (a pid is reused, a process
    /// moves). The thread ends with it, so no other code ever runs in that namespace.
    /// </summary>
    /// <exception cref="Win32Exception">The process is gone, is in another namespace now, or setns failed.</exception>
    public static T RunIn<T>(int pid, uint inode, Func<T> create)
    {
        T? result = default;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Enter(pid, inode);
                result = create();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        })
        {
            IsBackground = true,
            Name = "netns-enter",
        };
        thread.Start();
        thread.Join();
        return failure is null ? result! : throw failure;
    }

    private static void Enter(int pid, uint inode)
    {
        Span<byte> path = stackalloc byte[64];
        Utf8.TryWrite(path, $"/proc/{pid}/ns/net\0", out _);
        int fd;
        fixed (byte* p = path)
        {
            fd = open(p, O_RDONLY | O_CLOEXEC);
        }

        if (fd < 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"opening /proc/{pid}/ns/net");
        }

        try
        {
            // The namespace held open is the one checked: the process may have moved since its record was written.
            if (SocketOwnerProbe.NetworkNamespaceOf($"/proc/self/fd/{fd}") != inode)
            {
                throw new Win32Exception(ESRCH, $"process {pid} is no longer in network namespace {inode}");
            }

            if (setns(fd, CLONE_NEWNET) != 0)
            {
                throw new Win32Exception(Marshal.GetLastPInvokeError(), $"entering network namespace {inode}");
            }
        }
        finally
        {
            close(fd);
        }
    }
}
