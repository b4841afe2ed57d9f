using BuildSentry.Core.Profiles.Yaml;

namespace BuildSentry.Core.Profiles;

/// <summary>
/// Turns one profile file into definitions. Each YAML document in the file is a profile. Every
/// problem is collected; parsing never stops at the first one.
/// </summary>
internal sealed partial class ProfileParser
{
    public const int MaxSourceLength = 1024 * 1024;
    public const int MaxNameLength = 64;

    private static readonly string[] TopLevelKeys = ["name", "description", "mode", "extends", "egress", "dns", "processes", "match"];

    private readonly string _source;
    private readonly List<ProfileDiagnostic> _diagnostics;
    private readonly ProfileDefinition _profile;

    private ProfileParser(string source, List<ProfileDiagnostic> diagnostics, YNode root)
    {
        _source = source;
        _diagnostics = diagnostics;
        _profile = new ProfileDefinition(source, root.Line, root.Column);
    }

    private string ProfileName => _profile.Name ?? "(unnamed)";

    public static ProfileParseResult Parse(string sourceName, string text)
    {
        var diagnostics = new List<ProfileDiagnostic>();
        if (text.Length > MaxSourceLength)
        {
            diagnostics.Add(new ProfileDiagnostic(sourceName, 1, 1, $"the file is larger than {MaxSourceLength / 1024} KiB", "split it into several profiles"));
            return new ProfileParseResult([], diagnostics);
        }

        var documents = YamlTreeReader.Read(sourceName, text, diagnostics)
            .Where(d => d is not YScalar { IsNull: true })
            .ToList();
        var readErrors = diagnostics.Count;
        if (documents.Count == 0 && readErrors == 0)
        {
            diagnostics.Add(new ProfileDiagnostic(sourceName, 1, 1, "the file contains no profile", "a profile is a mapping with at least 'name' and 'egress'"));
        }

        var definitions = new List<ProfileDefinition>();
        foreach (var document in documents)
        {
            var before = diagnostics.Count;
            var parser = new ProfileParser(sourceName, diagnostics, document);
            parser.ParseDocument(document);
            parser._profile.HasErrors = readErrors > 0 || diagnostics.Count > before;
            definitions.Add(parser._profile);
        }

        var sorted = diagnostics.OrderBy(d => d.Line).ThenBy(d => d.Column).ToList();
        return new ProfileParseResult(definitions, sorted);
    }

    private void ParseDocument(YNode root)
    {
        if (root is not YMapping mapping)
        {
            Error(root, $"a profile must be a mapping of keys such as name and egress, not {root.Kind}", null);
            return;
        }

        CheckKeys(mapping, TopLevelKeys, "profile");
        ParseName(mapping);
        foreach (var (key, value) in mapping.Entries)
        {
            switch (key.Value)
            {
                case "description":
                    _profile.Description = ExpectString(value, "description");
                    break;
                case "mode":
                    ParseMode(value);
                    break;
                case "extends":
                    ParseExtends(value);
                    break;
                case "egress":
                    ParseEgress(value);
                    break;
                case "dns":
                    ParseDns(value);
                    break;
                case "processes":
                    ParseProcesses(value);
                    break;
                case "match":
                    ParseMatch(value);
                    break;
            }
        }
    }

    private void ParseName(YMapping mapping)
    {
        if (mapping["name"] is not { } node)
        {
            Error(mapping, "the profile has no 'name'", "add 'name: <profile-name>'");
            return;
        }

        if (ExpectString(node, "name") is not { } name)
        {
            return;
        }

        if (!IsValidName(name))
        {
            Error(node, $"'{Printable.Of(name)}' is not a valid profile name", $"use lower-case letters, digits, '.', '_' and '-', at most {MaxNameLength} characters, e.g. '{Suggest(name)}'");
            return;
        }

        (_profile.Name, _profile.NameLine, _profile.NameColumn) = (name, node.Line, node.Column);
    }

    private void ParseMode(YNode node)
    {
        switch (ExpectString(node, "mode"))
        {
            case "audit":
                _profile.Mode = ProfileMode.Audit;
                break;
            case "kill":
                _profile.Mode = ProfileMode.Kill;
                break;
            case "prevent":
                _profile.Mode = ProfileMode.Prevent;
                break;
            case { } other:
                Error(node, $"'{Printable.Of(other)}' is not a mode", "mode is 'audit', 'kill' or 'prevent'; leave it out to use the daemon's default");
                break;
        }
    }

    private void ParseExtends(YNode node)
    {
        foreach (var item in ExpectList(node, "extends", allowSingle: true))
        {
            if (ExpectString(item, "an extends entry") is { } name)
            {
                _profile.Extends.Add(new ExtendsReference(name, item.Line, item.Column));
            }
        }
    }

    internal static bool IsValidName(string name) =>
        name.Length is > 0 and <= MaxNameLength
        && name[0] is >= 'a' and <= 'z' or >= '0' and <= '9'
        && name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '.' or '_' or '-');

    private static string Suggest(string name)
    {
        var cleaned = new string(name.ToLowerInvariant().Select(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '.' or '_' or '-' ? c : '-').ToArray()).Trim('-', '.', '_');
        return cleaned.Length == 0 ? "my-profile" : cleaned[..Math.Min(cleaned.Length, MaxNameLength)];
    }
}
