namespace BuildSentry.Core.Profiles;

/// <summary>
/// Resolves <c>extends</c> across all loaded definitions: duplicate names, unknown parents and cycles
/// are errors, and a profile is resolved only when it and all its ancestors are free of errors.
/// </summary>
internal sealed class ProfileResolver
{
    public const int MaxExtendsDepth = 32;

    private readonly List<ProfileDiagnostic> _diagnostics;
    private readonly List<ProfileDefinition> _definitions = [];
    private readonly Dictionary<string, ProfileDefinition> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<ProfileDefinition, ResolvedProfile?> _done = new(ReferenceEqualityComparer.Instance);
    private readonly List<ProfileDefinition> _path = [];

    public ProfileResolver(IEnumerable<ProfileDefinition> definitions, List<ProfileDiagnostic> diagnostics)
    {
        _diagnostics = diagnostics;
        foreach (var definition in definitions.Where(d => d.Name is not null))
        {
            if (_byName.TryGetValue(definition.Name!, out var first))
            {
                Error(definition.Source, definition.NameLine, definition.NameColumn,
                    $"duplicate profile name '{definition.Name}'", $"it is already defined at {first.Source}:{first.NameLine}:{first.NameColumn}");
                continue;
            }

            _byName[definition.Name!] = definition;
            _definitions.Add(definition);
        }
    }

    public List<ResolvedProfile> ResolveAll() =>
        _definitions.Select(Resolve).OfType<ResolvedProfile>().ToList();

    private ResolvedProfile? Resolve(ProfileDefinition definition)
    {
        if (_done.TryGetValue(definition, out var known))
        {
            return known;
        }

        _path.Add(definition);
        var parents = new List<ResolvedProfile>();
        var valid = !definition.HasErrors;
        foreach (var reference in definition.Extends)
        {
            var parent = ResolveParent(definition, reference);
            valid &= parent is not null;
            if (parent is not null)
            {
                parents.Add(parent);
            }
        }

        _path.RemoveAt(_path.Count - 1);
        var resolved = valid ? Flatten(definition, parents) : null;
        _done[definition] = resolved;
        return resolved;
    }

    private ResolvedProfile? ResolveParent(ProfileDefinition child, ExtendsReference reference)
    {
        if (!_byName.TryGetValue(reference.Name, out var parent))
        {
            Error(child.Source, reference.Line, reference.Column, $"'{Printable.Of(reference.Name)}' extends an unknown profile",
                Suggestions.Hint(reference.Name, _byName.Keys.Order(StringComparer.Ordinal).ToArray()));
            return null;
        }

        var cycleStart = _path.IndexOf(parent);
        if (cycleStart >= 0)
        {
            var cycle = _path.Skip(cycleStart).Select(p => p.Name).Append(parent.Name);
            Error(child.Source, reference.Line, reference.Column, $"extends cycle: {string.Join(" -> ", cycle)}", "remove one of these extends");
            return null;
        }

        if (_path.Count >= MaxExtendsDepth)
        {
            Error(child.Source, reference.Line, reference.Column, $"extends is nested deeper than {MaxExtendsDepth} profiles", "flatten the chain of profiles");
            return null;
        }

        var resolved = Resolve(parent);
        if (resolved is null)
        {
            Error(child.Source, reference.Line, reference.Column, $"extends '{parent.Name}', which is invalid", $"fix the errors of '{parent.Name}' ({parent.Source}) first");
        }

        return resolved;
    }

    private static ResolvedProfile Flatten(ProfileDefinition definition, List<ResolvedProfile> parents)
    {
        var ancestors = new List<string>();
        foreach (var parent in parents)
        {
            ancestors.AddRange(parent.Ancestors.Prepend(parent.Name).Where(a => !ancestors.Contains(a, StringComparer.Ordinal)));
        }

        return new ResolvedProfile(
            definition,
            ancestors,
            Union(definition.Egress, parents.Select(p => p.EgressRules)),
            Union(definition.Dns, parents.Select(p => p.DnsRules)),
            Union(definition.DeniedProcesses, parents.Select(p => p.DeniedProcesses)));
    }

    // A rule reached through two parents (a diamond) is listed once: the rule objects are shared.
    private static T[] Union<T>(IEnumerable<T> own, IEnumerable<IReadOnlyList<T>> inherited) where T : class =>
        own.Concat(inherited.SelectMany(r => r)).Distinct(ReferenceEqualityComparer.Instance).Cast<T>().ToArray();

    private void Error(string source, int line, int column, string message, string? hint) =>
        _diagnostics.Add(new ProfileDiagnostic(source, line, column, message, hint));
}
