using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace BuildSentry.Core.Profiles.Yaml;

/// <summary>
/// Builds <see cref="YNode"/> trees from YamlDotNet's event parser, one per YAML document, without
/// recursion. A syntax error ends reading and becomes one diagnostic at its position.
/// </summary>
internal sealed class YamlTreeReader
{
    public const int MaxDepth = 32;

    private readonly string _source;
    private readonly List<ProfileDiagnostic> _diagnostics;
    private readonly Stack<(YNode Node, string? Anchor)> _open = new();
    private readonly Dictionary<string, YNode> _anchors = new(StringComparer.Ordinal);
    private readonly Dictionary<YMapping, YScalar?> _pendingKeys = new(ReferenceEqualityComparer.Instance);
    private YNode? _root;

    private YamlTreeReader(string source, List<ProfileDiagnostic> diagnostics)
    {
        _source = source;
        _diagnostics = diagnostics;
    }

    public static List<YNode> Read(string source, string text, List<ProfileDiagnostic> diagnostics)
    {
        var reader = new YamlTreeReader(source, diagnostics);
        var documents = new List<YNode>();
        var scanner = new Scanner(new StringReader(text), skipComments: true);
        var parser = new Parser(scanner);
        try
        {
            while (parser.MoveNext())
            {
                if (reader.Accept(parser.Current!) is { } document)
                {
                    documents.Add(document);
                }
            }
        }
        catch (YamlException e)
        {
            diagnostics.Add(new ProfileDiagnostic(source, Position(e.Start.Line), Position(e.Start.Column), e.Message, null));
            return [];
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet throws this instead of a YamlException for some malformed streams (found
            // by the fuzz test): an unclosed '[' before a line break, content after '...'.
            var at = scanner.CurrentPosition;
            diagnostics.Add(new ProfileDiagnostic(
                source, Position(at.Line), Position(at.Column), "malformed YAML", "look for an unclosed '[' or '{' or text after a '...' line"));
            return [];
        }

        return documents;
    }

    private YNode? Accept(ParsingEvent e)
    {
        switch (e)
        {
            case DocumentStart:
                _anchors.Clear();
                _root = null;
                return null;
            case DocumentEnd:
                return _root;
            case Scalar scalar:
                var isNull = scalar.Style == ScalarStyle.Plain && scalar.Value is "" or "~" or "null" or "Null" or "NULL";
                Complete(new YScalar(scalar.Value, isNull, Position(e.Start.Line), Position(e.Start.Column)), scalar.Anchor);
                return null;
            case SequenceStart sequence:
                Open(new YSequence(Position(e.Start.Line), Position(e.Start.Column)), sequence.Anchor, e);
                return null;
            case MappingStart mapping:
                Open(new YMapping(Position(e.Start.Line), Position(e.Start.Column)), mapping.Anchor, e);
                return null;
            case SequenceEnd or MappingEnd:
                var (node, anchor) = _open.Pop();
                Complete(node, anchor);
                return null;
            case AnchorAlias alias:
                Complete(ResolveAlias(alias), default);
                return null;
            default:
                return null;
        }
    }

    private void Open(YNode node, AnchorName anchor, ParsingEvent e)
    {
        if (_open.Count >= MaxDepth)
        {
            throw new YamlException(e.Start, e.End, $"the document is nested deeper than {MaxDepth} levels");
        }

        _open.Push((node, anchor.IsEmpty ? null : anchor.Value));
    }

    private YNode ResolveAlias(AnchorAlias alias)
    {
        // An anchor is registered when its node is complete, so an alias inside its own anchor's
        // node is unknown here: no cycles can be built.
        if (_anchors.TryGetValue(alias.Value.Value, out var target))
        {
            return target;
        }

        Report(alias.Start, $"alias '*{alias.Value.Value}' refers to no earlier anchor", "define '&name' on a node before using '*name'");
        return new YError(Position(alias.Start.Line), Position(alias.Start.Column));
    }

    private void Complete(YNode node, AnchorName anchor) => Complete(node, anchor.IsEmpty ? null : anchor.Value);

    private void Complete(YNode node, string? anchor)
    {
        if (anchor is not null)
        {
            _anchors[anchor] = node;
        }

        if (_open.Count == 0)
        {
            _root = node;
            return;
        }

        switch (_open.Peek().Node)
        {
            case YSequence sequence:
                sequence.Items.Add(node);
                break;
            case YMapping mapping:
                AddToMapping(mapping, node);
                break;
        }
    }

    private void AddToMapping(YMapping mapping, YNode node)
    {
        if (!_pendingKeys.Remove(mapping, out var key))
        {
            if (node is not YScalar)
            {
                ReportAt(node, $"a key must be a plain string, not {node.Kind}", null);
            }

            // A null pending key marks "skip the next value": its key was already reported.
            _pendingKeys[mapping] = node as YScalar;
            return;
        }

        if (key is null)
        {
            return;
        }

        foreach (var existing in mapping.Entries)
        {
            if (existing.Key.Value == key.Value)
            {
                ReportAt(key, $"duplicate key '{key.Value}'", $"it is already set at line {existing.Key.Line}");
                return;
            }
        }

        mapping.Entries.Add(new KeyValuePair<YScalar, YNode>(key, node));
    }

    private void Report(Mark mark, string message, string? hint) =>
        _diagnostics.Add(new ProfileDiagnostic(_source, Position(mark.Line), Position(mark.Column), message, hint));

    private void ReportAt(YNode node, string message, string? hint) =>
        _diagnostics.Add(new ProfileDiagnostic(_source, node.Line, node.Column, message, hint));

    private static int Position(long value) => (int)Math.Clamp(value, 1, int.MaxValue);
}
