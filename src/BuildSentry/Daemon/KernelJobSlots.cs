using System.Collections.Concurrent;
using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;
using BuildSentry.Linux.Kernel;

namespace BuildSentry.Daemon;

/// <summary>
/// Job membership in the kernel: each job gets a slot, and its processes are seeded into the eBPF sensor's map, from
/// which every fork inherits it before the child runs. Decorates the cgroup placement, which the tracker asks at each
/// job's start and end; without the eBPF sensor it only passes through.
/// </summary>
internal sealed class KernelJobSlots : IJobPlacement
{
    private IJobPlacement _cgroups = null!;
    private readonly ConcurrentDictionary<uint, string> _jobs = new();
    private readonly Dictionary<string, uint> _slots = new(StringComparer.Ordinal);
    private KernelProcessSensor? _sensor;
    private uint _next;

    /// <summary>The cgroup placement it decorates, set up before the monitor asks anything.</summary>
    public void Decorate(IJobPlacement cgroups) => _cgroups = cgroups;

    /// <summary>The eBPF sensor, once it runs; jobs placed before it are seeded by the start rescan's adoption.</summary>
    public void Attach(KernelProcessSensor sensor) => Volatile.Write(ref _sensor, sensor);

    /// <summary>The job a slot stands for; any thread (the sensor's reader) may ask.</summary>
    public string? JobOf(uint slot) => _jobs.TryGetValue(slot, out var job) ? job : null;

    /// <summary>The job the kernel's membership map has the process in; null without the eBPF sensor or outside every job.</summary>
    public string? JobOfProcess(int pid) =>
        Volatile.Read(ref _sensor) is { } sensor && sensor.TryGetJob(pid, out var slot) ? JobOf(slot) : null;

    public string? Place(JobRecord job, IReadOnlyList<ProcessKey> members)
    {
        var path = _cgroups.Place(job, members);
        if (Volatile.Read(ref _sensor) is { } sensor)
        {
            var slot = SlotOf(job);
            foreach (var member in members)
            {
                sensor.SeedJob(member.Pid, slot);
            }
        }

        return path;
    }

    public void Adopt(JobRecord job, ProcessForked fork)
    {
        _cgroups.Adopt(job, fork);
        // A fork the kernel saw before the job's seed: the map did not have its parent then. One it placed already
        // (most of them) costs no system call.
        if (Volatile.Read(ref _sensor) is { } sensor && _slots.TryGetValue(job.Id, out var slot) && fork.KernelJobSlot != slot)
        {
            sensor.SeedJob(fork.Child.Pid, slot);
        }
    }

    public void Release(JobRecord job)
    {
        _cgroups.Release(job);
        if (_slots.Remove(job.Id, out var slot))
        {
            _jobs.TryRemove(slot, out _);
            if (Volatile.Read(ref _sensor) is { } sensor)
            {
                sensor.ClearJob(job.Root.Pid);
            }
        }
    }

    private uint SlotOf(JobRecord job)
    {
        if (!_slots.TryGetValue(job.Id, out var slot))
        {
            // 0 is "no job" in the kernel's map.
            slot = ++_next == 0 ? ++_next : _next;
            _slots[job.Id] = slot;
            _jobs[slot] = job.Id;
        }

        return slot;
    }
}
