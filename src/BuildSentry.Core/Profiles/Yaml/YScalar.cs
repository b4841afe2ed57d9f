namespace BuildSentry.Core.Profiles.Yaml;

internal sealed class YScalar(string value, bool isNull, int line, int column) : YNode(line, column)
{
    public string Value { get; } = value;

    /// <summary>An empty value or a plain <c>~</c>/<c>null</c>: YAML's null, which here means "not given".</summary>
    public bool IsNull { get; } = isNull;

    public override string Kind => IsNull ? "empty" : "a string";
}
