namespace BuildSentry.Core.Profiles.Yaml;

internal sealed class YMapping(int line, int column) : YNode(line, column)
{
    /// <summary>Entries in written order; a duplicate key is reported by the reader and not stored.</summary>
    public List<KeyValuePair<YScalar, YNode>> Entries { get; } = [];

    public override string Kind => "a mapping";

    public YNode? this[string key]
    {
        get
        {
            foreach (var entry in Entries)
            {
                if (entry.Key.Value == key)
                {
                    return entry.Value;
                }
            }

            return null;
        }
    }
}
