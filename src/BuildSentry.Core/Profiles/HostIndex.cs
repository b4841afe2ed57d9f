namespace BuildSentry.Core.Profiles;

/// <summary>
/// Finds the patterns covering a name without scanning them all: exact names in one dictionary,
/// wildcard parents in another, looked up once per label of the name (a.b.c: "b.c", then "c").
/// Values are rule indexes in declaration order, kept ascending so the first hit is the earliest rule.
/// </summary>
internal sealed class HostIndex
{
    private readonly Dictionary<string, List<int>> _exact = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _wildcard = new(StringComparer.Ordinal);

    public void Add(HostPattern pattern, int index)
    {
        var table = pattern.IsWildcard ? _wildcard : _exact;
        if (!table.TryGetValue(pattern.Name, out var list))
        {
            table[pattern.Name] = list = [];
        }

        list.Add(index);
    }

    /// <summary>The index lists of every pattern covering <paramref name="normalizedName"/>.</summary>
    public IEnumerable<List<int>> Candidates(string normalizedName)
    {
        if (_exact.TryGetValue(normalizedName, out var exact))
        {
            yield return exact;
        }

        if (_wildcard.Count == 0)
        {
            yield break;
        }

        var parents = _wildcard.GetAlternateLookup<ReadOnlySpan<char>>();
        for (var dot = normalizedName.IndexOf('.', StringComparison.Ordinal);
             dot >= 0;
             dot = normalizedName.IndexOf('.', dot + 1))
        {
            if (parents.TryGetValue(normalizedName.AsSpan(dot + 1), out var list))
            {
                yield return list;
            }
        }
    }
}
