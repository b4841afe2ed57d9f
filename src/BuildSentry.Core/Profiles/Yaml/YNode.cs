namespace BuildSentry.Core.Profiles.Yaml;

/// <summary>
/// A YAML node with the position it started at. The tree is ours rather than YamlDotNet's
/// representation model so that duplicate keys, bad aliases and deep nesting become diagnostics
/// instead of exceptions, and so aliases share nodes instead of being expanded.
/// </summary>
internal abstract class YNode(int line, int column)
{
    public int Line { get; } = line;

    public int Column { get; } = column;

    /// <summary>The kind of node, as error messages name it ("a list", "a mapping", "a string").</summary>
    public abstract string Kind { get; }
}
