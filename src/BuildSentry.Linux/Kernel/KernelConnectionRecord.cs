using System.Net;
using BuildSentry.Core.Events;
using BuildSentry.Core.Profiles;

namespace BuildSentry.Linux.Kernel;

/// <summary>
/// A job member's connect, or the first datagram of one of its UDP flows, as the connection programs saw it at the
/// syscall (struct connect_record in connect.h). Only job members' calls are recorded.
/// </summary>
/// <param name="Kind"><see cref="KernelRecordKind.Connect"/>, <see cref="KernelRecordKind.UdpSend"/> or
/// <see cref="KernelRecordKind.Prevented"/>.</param>
/// <param name="JobSlot">The calling process's job (never 0).</param>
/// <param name="TimeNs">When the program ran, CLOCK_MONOTONIC.</param>
/// <param name="Process">The calling process (its tgid) with its start time in clock ticks, as /proc/PID/stat has it.</param>
/// <param name="ThreadId">The calling thread (the global pid of the task).</param>
/// <param name="NetworkNamespace">The caller's network namespace: the inode /proc/PID/ns/net names.</param>
/// <param name="Destination">IPv4 also when a dual-stack socket named it as ::ffff:a.b.c.d (<paramref name="V4Mapped"/>).</param>
/// <param name="SocketCookie">The socket's cookie (SO_COOKIE), unique for the kernel's uptime.</param>
public readonly record struct KernelConnectionRecord(
    KernelRecordKind Kind,
    uint JobSlot,
    ulong TimeNs,
    ProcessKey Process,
    int ThreadId,
    ulong NetworkNamespace,
    TransportProtocol Protocol,
    IPAddress Destination,
    int DestinationPort,
    ulong SocketCookie,
    bool V4Mapped)
{
    /// <summary>A prevented UDP connect, which carried no datagram (see <see cref="Core.Network.ConnectionPrevented.UdpConnectOnly"/>).</summary>
    public bool UdpConnectOnly { get; init; }
}
