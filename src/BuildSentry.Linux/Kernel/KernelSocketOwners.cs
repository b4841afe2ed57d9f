using System.Runtime.InteropServices;
using BuildSentry.Core.Events;
using BuildSentry.Core.Network;
using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Kernel;

/// <summary>
/// The kernel's socket-owner map (flows.h): for each socket a job member connected, or sent a first datagram to a
/// destination from, the member and its job, keyed by the socket's cookie. sock_diag names a flow's socket by that
/// cookie, so one map lookup replaces a search of every /proc/PID/fd, and it answers also after the owner exited.
/// </summary>
public sealed unsafe class KernelSocketOwners
{
    private readonly int _mapFd;
    private readonly Func<uint, string?> _jobOfSlot;

    internal KernelSocketOwners(int mapFd, Func<uint, string?> jobOfSlot)
    {
        _mapFd = mapFd;
        _jobOfSlot = jobOfSlot;
    }

    /// <summary>The member the kernel recorded for a socket; null for a socket no job member connected or sent on.</summary>
    public FlowAttribution? Find(ulong cookie) => TryFind(cookie, out _, out var attribution) ? attribution : null;

    /// <summary>The member, and the job slot it was in, that the kernel recorded for a socket.</summary>
    public bool TryFind(ulong cookie, out uint slot, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out FlowAttribution? attribution)
    {
        Owner owner;
        if (Libbpf.MapLookup(_mapFd, &cookie, &owner) != 0 || owner.Job == 0)
        {
            (slot, attribution) = (0, null);
            return false;
        }

        var process = new ProcessKey(owner.Tgid, KernelRecordParser.ToTicks(owner.StartNs));
        (slot, attribution) = (owner.Job, new FlowAttribution(process, owner.NetworkNamespace, null, _jobOfSlot(owner.Job)));
        return true;
    }

    /// <summary>struct socket_owner.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Owner
    {
        public int Tgid;
        public uint Job;
        public ulong StartNs;
        public uint NetworkNamespace;
        public uint Zero;
    }
}
