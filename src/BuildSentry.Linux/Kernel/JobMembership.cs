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

    /// <summary>Every process the kernel holds in the job: also those forked before the daemon read their fork, and
    /// outside the job's cgroup (forked before their parent's move into it), which a kill must not miss.</summary>
    public IReadOnlyList<int> MembersOf(uint slot)
    {
        const int Chunk = 1024;
        var found = new List<int>();
        var keys = stackalloc uint[Chunk];
        var values = stackalloc uint[Chunk];
        uint token = 0, next = 0;
        var first = true;
        while (true)
        {
            var count = (uint)Chunk;
            var result = Libbpf.MapLookupBatch(mapFd, first ? null : &token, &next, keys, values, &count, 0);
            var errno = result == 0 ? 0 : Libbpf.Errno(result);
            for (var i = 0; i < (int)Math.Min(count, (uint)Chunk); i++)
            {
                if (values[i] == slot)
                {
                    found.Add((int)keys[i]);
                }
            }

            if (result != 0)
            {
                // ENOENT: the last chunk. Anything else (a kernel without batch lookups): walk the keys one by one.
                return errno == 2 ? found : MembersByWalk(slot);
            }

            (token, first) = (next, false);
        }
    }

    private List<int> MembersByWalk(uint slot)
    {
        var found = new List<int>();
        uint key = 0, next;
        var first = true;
        while (Libbpf.MapGetNextKey(mapFd, first ? null : &key, &next) == 0)
        {
            (key, first) = (next, false);
            uint value;
            if (Libbpf.MapLookup(mapFd, &key, &value) == 0 && value == slot)
            {
                found.Add((int)key);
            }
        }

        return found;
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
