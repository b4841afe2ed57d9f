using System.Net;

namespace BuildSentry.Core.Network;

/// <summary>
/// What each destination address is called, learnt from DNS answers seen on the wire, per network
/// namespace. Every name an address was given is kept (a shared CDN address answers for many
/// names), each until its own expiry. Time is the event time, so replays give the same answers.
/// </summary>
public sealed class NameCache(NameCacheOptions options)
{
    private readonly Dictionary<(ulong Namespace, IPAddress Address), Entry> _entries = [];
    private readonly LinkedList<(ulong Namespace, IPAddress Address)> _recency = new();

    public int Count => _entries.Count;

    public long Evicted { get; private set; }

    public void Record(ulong netns, IPAddress address, string name, TimeSpan ttl, DateTimeOffset now)
    {
        address = Normalise(address);
        var lifetime = ttl < options.MinimumLifetime ? options.MinimumLifetime
            : ttl > options.MaximumLifetime ? options.MaximumLifetime : ttl;
        var key = (netns, address);
        if (_entries.TryGetValue(key, out var entry))
        {
            _recency.Remove(entry.Node);
            _recency.AddLast(entry.Node);
        }
        else
        {
            entry = new Entry(_recency.AddLast(key));
            _entries[key] = entry;
            while (_entries.Count > options.MaxAddresses && _recency.First is { } oldest)
            {
                Remove(oldest.Value);
                Evicted++;
            }
        }

        entry.Add(name, now + lifetime, options.MaxNamesPerAddress);
        entry.LastRecorded = now;
    }

    /// <summary>Each address an answer gave since <paramref name="since"/>, with every name it still has and how long
    /// the longest-lived of them has left; newest first, and only the recent entries are visited.</summary>
    public IReadOnlyList<(IPAddress Address, IReadOnlyList<string> Names, TimeSpan Remaining)> RecordedSince(DateTimeOffset since,
        DateTimeOffset now)
    {
        var recent = new List<(IPAddress, IReadOnlyList<string>, TimeSpan)>();
        for (var node = _recency.Last; node is not null; node = node.Previous)
        {
            var entry = _entries[node.Value];
            if (entry.LastRecorded < since)
            {
                break;
            }

            var live = entry.Names.Where(n => n.Expires > now).ToList();
            if (live.Count > 0)
            {
                recent.Add((node.Value.Address, live.ConvertAll(n => n.Name), live.Max(n => n.Expires) - now));
            }
        }

        return recent;
    }

    /// <summary>The names the namespace currently knows for the address, oldest answer first.</summary>
    public IReadOnlyList<string> NamesFor(ulong netns, IPAddress address, DateTimeOffset now)
    {
        var key = (netns, Normalise(address));
        if (!_entries.TryGetValue(key, out var entry))
        {
            return netns != options.HostNamespace && options.HostNamespace != 0 ? NamesFor(options.HostNamespace, address, now) : [];
        }

        entry.Expire(now);
        if (entry.Names.Count == 0)
        {
            Remove(key);
            return [];
        }

        return entry.Names.ConvertAll(n => n.Name);
    }

    /// <summary>Drops every expired name; the monitor calls it now and then so memory follows the TTLs.</summary>
    public void Sweep(DateTimeOffset now)
    {
        var empty = new List<(ulong, IPAddress)>();
        foreach (var (key, entry) in _entries)
        {
            entry.Expire(now);
            if (entry.Names.Count == 0)
            {
                empty.Add(key);
            }
        }

        empty.ForEach(Remove);
    }

    private void Remove((ulong Namespace, IPAddress Address) key)
    {
        if (_entries.Remove(key, out var entry))
        {
            _recency.Remove(entry.Node);
        }
    }

    private static IPAddress Normalise(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private sealed class Entry(LinkedListNode<(ulong, IPAddress)> node)
    {
        public LinkedListNode<(ulong, IPAddress)> Node { get; } = node;

        public List<(string Name, DateTimeOffset Expires)> Names { get; } = new(2);

        /// <summary>When an answer last gave the address: the recency list is in this order.</summary>
        public DateTimeOffset LastRecorded { get; set; }

        public void Add(string name, DateTimeOffset expires, int max)
        {
            var index = Names.FindIndex(n => string.Equals(n.Name, name, StringComparison.Ordinal));
            if (index >= 0)
            {
                Names[index] = (name, expires > Names[index].Expires ? expires : Names[index].Expires);
                return;
            }

            if (Names.Count >= max)
            {
                var soonest = 0;
                for (var i = 1; i < Names.Count; i++)
                {
                    soonest = Names[i].Expires < Names[soonest].Expires ? i : soonest;
                }

                Names.RemoveAt(soonest);
            }

            Names.Add((name, expires));
        }

        public void Expire(DateTimeOffset now) => Names.RemoveAll(n => n.Expires <= now);
    }
}
