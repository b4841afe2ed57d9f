using BuildSentry.Core.Network;

namespace BuildSentry.Linux.Network;

/// <summary>
/// Recent flows and what the sensor still wants from each (its owner, its first bytes), least
/// recently used first out, so the state of a connection storm stays within a fixed size.
/// </summary>
internal sealed class FlowTable<T>(int capacity) where T : class
{
    private readonly Dictionary<FlowKey, LinkedListNode<(FlowKey Key, T Value)>> _map = [];
    private readonly LinkedList<(FlowKey Key, T Value)> _order = new();

    public int Count => _map.Count;

    public bool TryGet(FlowKey key, out T value)
    {
        if (_map.TryGetValue(key, out var node))
        {
            _order.Remove(node);
            _order.AddLast(node);
            value = node.Value.Value;
            return true;
        }

        value = null!;
        return false;
    }

    /// <summary>Adds a flow; returns false (and keeps the existing entry) when it is already known.</summary>
    public bool TryAdd(FlowKey key, T value)
    {
        if (_map.ContainsKey(key))
        {
            return false;
        }

        _map[key] = _order.AddLast((key, value));
        if (_map.Count > capacity && _order.First is { } oldest)
        {
            _order.RemoveFirst();
            _map.Remove(oldest.Value.Key);
        }

        return true;
    }

    public void Remove(FlowKey key)
    {
        if (_map.Remove(key, out var node))
        {
            _order.Remove(node);
        }
    }
}
