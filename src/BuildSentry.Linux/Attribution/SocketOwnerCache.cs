using BuildSentry.Core.Events;

namespace BuildSentry.Linux.Attribution;

/// <summary>
/// Socket inode → owner, bounded (oldest out first). A hit is checked against /proc before use:
/// the descriptor must still name the socket and the pid must still be the same process.
/// </summary>
internal sealed class SocketOwnerCache(int capacity)
{
    private readonly Dictionary<uint, (ProcessKey Owner, int Fd)> _entries = [];
    private readonly Queue<uint> _order = new();

    public bool TryGet(uint inode, out ProcessKey owner)
    {
        owner = default;
        if (!_entries.TryGetValue(inode, out var entry))
            return false;
        if (!SocketOwnerProbe.HoldsSocket(entry.Owner.Pid, entry.Fd, inode) || SocketOwnerProbe.StartTime(entry.Owner.Pid) != entry.Owner.StartTime)
        {
            _entries.Remove(inode);
            return false;
        }
        owner = entry.Owner;
        return true;
    }

    public void Add(uint inode, ProcessKey owner, int fd)
    {
        if (_entries.TryAdd(inode, (owner, fd)))
            _order.Enqueue(inode);
        else
            _entries[inode] = (owner, fd);
        // The queue also holds inodes dropped as stale, so it is bounded on its own.
        while ((_entries.Count > capacity || _order.Count > 2 * capacity) && _order.TryDequeue(out var oldest))
            _entries.Remove(oldest);
    }
}
