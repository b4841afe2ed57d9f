using System.ComponentModel;
using System.Runtime.InteropServices;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace BuildSentry.Linux.Interop;

/// <summary>
/// The kernel sensor's wait between drains: until the ring's own wake-up, a timeout, or <see cref="Wake"/> from any
/// thread (a finding waits for its owner, or a control request for the sensor to catch up). One epoll set over the
/// ring's epoll fd and an eventfd, so the ring's records are then consumed, never polled, by libbpf.
/// </summary>
internal sealed unsafe class DrainWait : IDisposable
{
    private readonly int _epoll;
    private readonly int _wake;

    public DrainWait(int ringEpollFd)
    {
        _epoll = epoll_create1(EPOLL_CLOEXEC);
        _wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (_epoll < 0 || _wake < 0)
        {
            var error = Marshal.GetLastPInvokeError();
            Dispose();
            throw new Win32Exception(error, "epoll_create1/eventfd");
        }

        Add(ringEpollFd);
        Add(_wake);
    }

    public void Wake()
    {
        ulong one = 1;
        _ = write(_wake, &one, sizeof(ulong));
    }

    /// <summary>Waits at most <paramref name="timeoutMs"/>; an interrupted wait is a plain wake.</summary>
    public void Wait(int timeoutMs)
    {
        var events = stackalloc epoll_event[2];
        if (epoll_wait(_epoll, events, 2, timeoutMs) < 0 && Marshal.GetLastPInvokeError() != EINTR)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "epoll_wait");
        }

        ulong count;
        _ = read(_wake, &count, sizeof(ulong));
    }

    public void Dispose()
    {
        if (_wake >= 0)
        {
            close(_wake);
        }

        if (_epoll >= 0)
        {
            close(_epoll);
        }
    }

    private void Add(int fd)
    {
        var registration = new epoll_event { events = EPOLLIN };
        registration.data.fd = fd;
        if (epoll_ctl(_epoll, EPOLL_CTL_ADD, fd, &registration) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "epoll_ctl");
        }
    }
}
