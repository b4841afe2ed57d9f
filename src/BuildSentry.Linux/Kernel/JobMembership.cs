using System.Runtime.InteropServices;
using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Kernel;

/// <summary>
/// The kernel's tgid → job slot map. A seeded process's descendants join its job at fork, inside the kernel and
/// before they first run, in every PID and network namespace; an exit leaves it. Slot 0 means "no job".
/// </summary>
internal sealed unsafe class JobMembership(int mapFd)
{
    public void Seed(int tgid, uint slot)
    {
        ArgumentOutOfRangeException.ThrowIfZero(slot);
        var key = (uint)tgid;
        if (Libbpf.MapUpdate(mapFd, &key, &slot, 0 /* BPF_ANY */) != 0)
        {
            throw new InvalidOperationException($"seeding job slot {slot} at {tgid} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Takes one process out of its job (its descendants stay in theirs).</summary>
    public void Clear(int tgid)
    {
        var key = (uint)tgid;
        Libbpf.MapDelete(mapFd, &key);
    }

    public bool TryGet(int tgid, out uint slot)
    {
        var key = (uint)tgid;
        uint value;
        var found = Libbpf.MapLookup(mapFd, &key, &value) == 0;
        slot = found ? value : 0;
        return found;
    }
}
