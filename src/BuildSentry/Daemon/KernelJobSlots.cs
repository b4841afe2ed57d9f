using System.Net;
using System.Collections.Concurrent;
using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;
using BuildSentry.Core.Monitoring;
using BuildSentry.Core.Profiles;
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
    private readonly BuildSentry.Linux.Processes.ProcFs _proc = new();

    /// <summary>The cgroup placement it decorates, set up before the monitor asks anything.</summary>
    public void Decorate(IJobPlacement cgroups) => _cgroups = cgroups;

    /// <summary>The eBPF sensor, once it runs; jobs placed before it are seeded by the start rescan's adoption.</summary>
    public void Attach(KernelProcessSensor sensor) => Volatile.Write(ref _sensor, sensor);

    /// <summary>The job a slot stands for; any thread (the sensor's reader) may ask.</summary>
    public string? JobOf(uint slot) => _jobs.TryGetValue(slot, out var job) ? job : null;

    /// <summary>The job the kernel's membership map has the process in; null without the eBPF sensor or outside every job.</summary>
    public string? JobOfProcess(int pid) =>
        Volatile.Read(ref _sensor) is { } sensor && sensor.TryGetJob(pid, out var slot) ? JobOf(slot) : null;

    /// <summary>Set once prevent mode can run (the eBPF sensor and the DNS forwarder): the forwarder's port, and how
    /// a job's mode and profile are found (the monitor's state, which exists before the job is placed).</summary>
    public PreventSetup? Prevent { get; set; }

    /// <summary>Prevent-mode jobs the kernel holds to their allowlist, and those it could not (handled as in kill mode).</summary>
    public long JobsPrevented => Interlocked.Read(ref _jobsPrevented);

    public long PreventFailures => Interlocked.Read(ref _preventFailures);

    /// <summary>Why the last prevent-mode job could not be held in the kernel.</summary>
    public string? LastPreventFailure { get; private set; }

    private long _jobsPrevented;
    private long _preventFailures;

    // Slots whose job the kernel holds to an allowlist: only theirs are cleared at the job's end (a walk of the map).
    private readonly Dictionary<uint, (ResolvedProfile? Profile, DateTimeOffset Started)> _held = [];

    public string? Place(JobRecord job, IReadOnlyList<ProcessKey> members)
    {
        var path = _cgroups.Place(job, members);
        if (Volatile.Read(ref _sensor) is { } sensor)
        {
            var slot = SlotOf(job);
            // The allowlist first: once seeded, the job's members are held from their next connect on.
            // Prevent and kill modes: the kernel holds the job to its allowlist (kill mode also kills the refused caller).
            if (Prevent is { } prevent && prevent.StateOf(job.Id) is { Mode: ProfileMode.Prevent or ProfileMode.Kill } state)
            {
                // A member already in a namespace of its own (a container found by its markers) has its forwarder
                // before its first query is redirected there.
                prevent.OpenNamespaces?.Invoke(slot, members);
                Hold(sensor, slot, state.Profile, prevent, state.Mode == ProfileMode.Kill, job.StartedAt);
            }

            foreach (var member in members)
            {
                sensor.SeedJob(member.Pid, slot);
            }
        }

        return path;
    }

    /// <summary>The processes the kernel holds in the job (none without the eBPF sensor): a kill adds those the
    /// monitor has not read yet.</summary>
    public IReadOnlyList<int> KernelMembers(JobRecord job) =>
        Volatile.Read(ref _sensor) is { } sensor && _slots.TryGetValue(job.Id, out var slot) ? sensor.MembersOf(slot) : [];

    private void Hold(KernelProcessSensor sensor, uint slot, ResolvedProfile? profile, PreventSetup prevent, bool kill, DateTimeOffset started)
    {
        try
        {
            sensor.Policy.Prevent(slot, prevent.DnsPort, IPAddress.Loopback, IPAddress.IPv6Loopback, kill);
            foreach (var entry in PreventAllowlist.Static(profile))
            {
                sensor.Policy.Allow(slot, entry.Network, entry.PrefixLength, entry.Tcp, entry.Udp, [.. entry.Ports.Select(p => (p.Low, p.High))]);
            }

            // Names the job resolved between its start and now went to its server directly, not through the
            // forwarder: their answers' allowed addresses join the list, or the connects that follow would be refused.
            AllowAnswers(sensor, slot, profile, prevent, started);
            _held[slot] = (profile, started);
            Interlocked.Increment(ref _jobsPrevented);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // A full map or a refused update: the kernel does not hold the job, which is then killed at its first
            // violation, as in kill mode. Status says so.
            sensor.Policy.Clear(slot);
            LastPreventFailure = ex.Message;
            Interlocked.Increment(ref _preventFailures);
        }
    }

    /// <summary>
    /// Before a held job's forwarder listens in a namespace of its own: the allowed addresses of every answer the
    /// capture saw since the job started join its allowlist, as at the hold, so a name resolved there before the job
    /// was held there is not refused after. Under the monitor's lock.
    /// </summary>
    public void AllowAnswersSinceStart(uint slot)
    {
        if (Volatile.Read(ref _sensor) is { } sensor && Prevent is { } prevent && _held.TryGetValue(slot, out var held))
        {
            try
            {
                AllowAnswers(sensor, slot, held.Profile, prevent, held.Started);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
            {
                // A full map: the connect is judged by the kernel without them, as for an answer still on its way.
                LastPreventFailure = ex.Message;
            }
        }
    }

    private static void AllowAnswers(KernelProcessSensor sensor, uint slot, ResolvedProfile? profile, PreventSetup prevent, DateTimeOffset started)
    {
        foreach (var (address, names, remaining) in prevent.AnswersSince?.Invoke(started) ?? [])
        {
            if (PreventAllowlist.ForAnswer(profile, [.. names], address) is { } entry)
            {
                sensor.Policy.Allow(slot, entry.Network, entry.PrefixLength, entry.Tcp, entry.Udp,
                    [.. entry.Ports.Select(p => (p.Low, p.High))], remaining > PreventModeDns.MinimumHold ? remaining : PreventModeDns.MinimumHold);
            }
        }
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

    public void Enlist(JobRecord job, ProcessKey process)
    {
        _cgroups.Enlist(job, process);
        if (Volatile.Read(ref _sensor) is { } sensor && _slots.TryGetValue(job.Id, out var slot))
        {
            sensor.SeedJob(process.Pid, slot);
            // Checked after the seed: an exit before it left an entry that a reused pid would inherit (one after it
            // is the kernel's to clear).
            if (_proc.TryGetKey(process.Pid) != process)
            {
                sensor.ClearJob(process.Pid);
            }
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
                if (_held.Remove(slot))
                {
                    sensor.Policy.Clear(slot);
                    Prevent?.SlotReleased?.Invoke(slot);
                }
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

/// <summary>What prevent mode needs from the rest of the daemon: the DNS forwarder's port, a job's monitor state, who
/// to tell when a held job's slot is free again (its namespaces' forwarders close), the DNS answers the capture saw
/// since a time (address, names, time left), and who opens the forwarders of the members' own namespaces.</summary>
internal sealed record PreventSetup(int DnsPort, Func<string, JobState?> StateOf, Action<uint>? SlotReleased = null,
    Func<DateTimeOffset, IReadOnlyList<(IPAddress Address, IReadOnlyList<string> Names, TimeSpan Remaining)>>? AnswersSince = null,
    Action<uint, IReadOnlyList<ProcessKey>>? OpenNamespaces = null);
