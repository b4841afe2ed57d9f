using BuildSentry.Core.Events;
using BuildSentry.Core.Network;
using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Attribution;

/// <summary>
/// Flow → socket inode → process. The daemon's own namespace is asked through sock_diag; other
/// namespaces (containers of a job) through /proc/PID/net of a job process living in them, also for a flow seen after
/// the host's source NAT, by the tuple conntrack says it had before.
/// Socket → process asks the kernel's socket-owner map first, where the eBPF sensor runs (a job member's socket, by
/// the cookie sock_diag reports), and otherwise scans /proc/PID/fd, job processes first, and caches the answer.
/// </summary>
internal sealed class FlowOwnerResolver : IFlowOwnerResolver, IDisposable
{
    private readonly SockDiag _sockDiag = new();
    private readonly ConntrackSocket _conntrack = new();
    private readonly SocketOwnerCache _cache;
    private readonly ulong _hostNamespace;
    private readonly Func<ulong, FlowAttribution?>? _socketOwner;
    private long _kernelAnswers;

    // The last process outside every job found holding a socket in a job's namespace (dockerd, whose embedded resolver
    // asks each query from a new socket there): tried before the rest of the host.
    private int _lastOutsider;

    public FlowOwnerResolver(int cacheCapacity = 4096, Func<ulong, FlowAttribution?>? socketOwner = null)
    {
        _socketOwner = socketOwner;
        _cache = new SocketOwnerCache(cacheCapacity);
        _hostNamespace = SocketOwnerProbe.NetworkNamespace(Environment.ProcessId)
            ?? throw new InvalidOperationException("Cannot read /proc/self/ns/net.");
    }

    public FlowAttribution Resolve(FlowKey flow, IReadOnlyCollection<int> preferredPids, bool searchHost = true)
    {
        ArgumentNullException.ThrowIfNull(preferredPids);
        if (_sockDiag.Find(flow) is { } found)
        {
            if (_socketOwner?.Invoke(found.Cookie) is { Owner: { } member } recorded)
            {
                // The capture runs ahead of the process sensor: the program the owner runs now lets the monitor wait
                // for that exec before it judges the flow, rather than name the shell the owner was forked from.
                Interlocked.Increment(ref _kernelAnswers);
                return recorded with { OwnerExe = SocketOwnerProbe.Exe(member.Pid) };
            }

            return found.Inode == 0
                ? FlowAttribution.Unattributed(_hostNamespace, "the socket has no inode (closed, TIME_WAIT or not yet accepted)")
                : Owner(found.Inode, _hostNamespace, preferredPids, searchHost ? SocketOwnerProbe.AllPids() : []);
        }
        // A container's flow leaves the host behind its source NAT: its socket, in the container's namespace, holds
        // the address and port the flow had before, which the kernel's connection tracking still knows. Asked first
        // (microseconds), so a translated flow is looked for once, by the tuple its socket has.
        if (_conntrack.OriginalOf(flow) is { } original && (!original.Source.Equals(flow.Source) || original.SourcePort != flow.SourcePort))
            flow = original;
        if (InJobNamespaces(flow, preferredPids, searchHost) is { } inNamespace)
            return inNamespace;

        return FlowAttribution.Unattributed(_hostNamespace, "no socket has this tuple in the host namespace or in a job process's namespace");
    }

    /// <summary>The flow's socket in the network namespace of a job process that is not the host's. Its owner is looked
    /// for among the job's processes there first, then (unless <paramref name="searchHost"/> is false) on the whole host:
    /// a process outside every job can hold a socket in a job's namespace (dockerd's embedded resolver).</summary>
    private FlowAttribution? InJobNamespaces(FlowKey flow, IReadOnlyCollection<int> preferredPids, bool searchHost)
    {
        foreach (var group in preferredPids.GroupBy(pid => SocketOwnerProbe.NetworkNamespace(pid) ?? _hostNamespace))
        {
            if (group.Key == _hostNamespace)
                continue;
            foreach (var pid in group)
            {
                if (ProcNetTable.FindInode(pid, flow) is { } inode && SocketOwnerProbe.StartTime(pid) is { } start)
                {
                    var then = searchHost ? SocketOwnerProbe.AllPids().Prepend(_lastOutsider) : [];
                    var found = Owner(inode, group.Key, group.ToList(), then) with { NamespaceMember = new ProcessKey(pid, start) };
                    if (found.Owner is { } owner && !group.Contains(owner.Pid))
                        _lastOutsider = owner.Pid;
                    return found;
                }

                // Read through a process still in the namespace: the others list the same sockets.
                if (SocketOwnerProbe.NetworkNamespace(pid) == group.Key)
                    break;
            }
        }

        return null;
    }

    /// <summary>Owners the kernel's socket-owner map answered, without a search of /proc.</summary>
    public long KernelAnswers => Interlocked.Read(ref _kernelAnswers);

    public void Dispose()
    {
        _sockDiag.Dispose();
        _conntrack.Dispose();
    }

    private FlowAttribution Owner(uint inode, ulong netns, IEnumerable<int> first, IEnumerable<int> then)
    {
        if (_cache.TryGet(inode, out var cached))
            return new FlowAttribution(cached, netns, null);
        foreach (var pid in first.Concat(then).Distinct())
        {
            if (SocketOwnerProbe.FindSocket(pid, inode) is not { } fd || SocketOwnerProbe.StartTime(pid) is not { } start)
                continue;
            var owner = new ProcessKey(pid, start);
            _cache.Add(inode, owner, fd);
            return new FlowAttribution(owner, netns, null) { OwnerExe = SocketOwnerProbe.Exe(pid) };
        }
        return FlowAttribution.Unattributed(netns, $"no process holds socket inode {inode}");
    }
}
