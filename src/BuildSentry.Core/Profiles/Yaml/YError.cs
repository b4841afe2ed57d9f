namespace BuildSentry.Core.Profiles.Yaml;

/// <summary>
/// Stands where a node could not be built (an alias to no anchor). Its problem is already reported,
/// so the profile parser reports nothing more about it.
/// </summary>
internal sealed class YError(int line, int column) : YNode(line, column)
{
    public override string Kind => "invalid";
}
