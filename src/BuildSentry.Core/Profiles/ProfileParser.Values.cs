using BuildSentry.Core.Profiles.Yaml;

namespace BuildSentry.Core.Profiles;

// Shape checks shared by every key: each reports a wrong type at the node and lets parsing go on.
internal sealed partial class ProfileParser
{
    private void Error(YNode node, string message, string? hint)
    {
        if (node is not YError)
        {
            _diagnostics.Add(new ProfileDiagnostic(_source, node.Line, node.Column, message, hint));
        }
    }

    private string? ExpectString(YNode node, string what)
    {
        switch (node)
        {
            case YScalar { IsNull: false } scalar:
                return scalar.Value;
            case YScalar:
                Error(node, $"'{what}' is empty", null);
                return null;
            default:
                Error(node, $"'{what}' must be a string, not {node.Kind}", node is YSequence ? "write a single value" : "quote the value if it contains ': '");
                return null;
        }
    }

    private IReadOnlyList<YNode> ExpectList(YNode node, string what, bool allowSingle)
    {
        switch (node)
        {
            case YSequence sequence:
                return sequence.Items;
            case YScalar { IsNull: true }:
                return [];
            case YScalar when allowSingle:
                return [node];
            default:
                Error(node, $"'{what}' must be a list, not {node.Kind}", "write each entry on its own line, starting with '- '");
                return [];
        }
    }

    private YMapping? ExpectMapping(YNode node, string what, string hint)
    {
        if (node is YMapping mapping)
        {
            return mapping;
        }

        Error(node, $"'{what}' must be a mapping, not {node.Kind}", hint);
        return null;
    }

    private void CheckKeys(YMapping mapping, string[] valid, string where)
    {
        foreach (var key in mapping.Entries.Select(e => e.Key))
        {
            if (!valid.Contains(key.Value, StringComparer.Ordinal))
            {
                Error(key, $"unknown key '{Printable.Of(key.Value)}' in {where}", Suggestions.Hint(key.Value, valid));
            }
        }
    }

    private RuleReference Reference(YNode node, string text) =>
        new(ProfileName, _source, node.Line, node.Column, text);
}
