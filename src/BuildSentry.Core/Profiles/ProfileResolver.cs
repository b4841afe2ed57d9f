namespace BuildSentry.Core.Profiles;

/// <summary>
/// Resolves <c>extends</c> across all loaded definitions: duplicate names, unknown parents, cycles and
/// chains deeper than <see cref="MaxExtendsDepth"/> are errors, and a profile is resolved only when it
/// and all its ancestors are free of errors. The walk uses an explicit stack, so no profile graph can
/// exhaust the call stack, and its results do not depend on which profile it starts from.
/// </summary>
internal sealed class ProfileResolver
{
    public const int MaxExtendsDepth = 32;

    private readonly List<ProfileDiagnostic> _diagnostics;
    private readonly List<ProfileDefinition> _definitions = [];
    private readonly Dictionary<string, ProfileDefinition> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<ProfileDefinition, ResolvedProfile?> _done = new(ReferenceEqualityComparer.Instance);

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

    public List<ResolvedProfile> ResolveAll()
    {
        foreach (var definition in _definitions)
        {
            Visit(definition);
        }

        return _definitions.Select(d => _done[d]).OfType<ResolvedProfile>().ToList();
    }

    // Depth-first: a profile is finished once every parent is finished or found to be on the path
    // being walked (a cycle).
    private void Visit(ProfileDefinition start)
    {
        if (_done.ContainsKey(start))
        {
            return;
        }

        var path = new List<(ProfileDefinition Definition, int NextParent)> { (start, 0) };
        var onPath = new HashSet<ProfileDefinition>(ReferenceEqualityComparer.Instance) { start };
        while (path.Count > 0)
        {
            var (top, next) = path[^1];
            if (next < top.Extends.Count)
            {
                path[^1] = (top, next + 1);
                if (_byName.TryGetValue(top.Extends[next].Name, out var parent) && !_done.ContainsKey(parent) && onPath.Add(parent))
                {
                    path.Add((parent, 0));
                }

                continue;
            }

            _done[top] = Finish(top, path);
            onPath.Remove(top);
            path.RemoveAt(path.Count - 1);
        }
    }

    private ResolvedProfile? Finish(ProfileDefinition definition, List<(ProfileDefinition Definition, int NextParent)> path)
    {
        var valid = !definition.HasErrors;
        var parents = new List<ResolvedProfile>();
        foreach (var reference in definition.Extends)
        {
            if (ResolvedParent(definition, reference, path) is { } parent)
            {
                parents.Add(parent);
            }
            else
            {
                valid = false;
            }
        }

        return valid ? Flatten(definition, parents) : null;
    }

    private ResolvedProfile? ResolvedParent(ProfileDefinition child, ExtendsReference reference, List<(ProfileDefinition Definition, int NextParent)> path)
    {
        if (!_byName.TryGetValue(reference.Name, out var parent))
        {
            Error(child.Source, reference.Line, reference.Column, $"'{Printable.Of(reference.Name)}' extends an unknown profile",
                Suggestions.Hint(reference.Name, _byName.Keys.Order(StringComparer.Ordinal).ToArray()));
            return null;
        }

        if (!_done.TryGetValue(parent, out var resolved))
        {
            var cycle = path.Skip(path.FindIndex(p => p.Definition == parent)).Select(p => p.Definition.Name).Append(parent.Name);
            Error(child.Source, reference.Line, reference.Column, $"extends cycle: {string.Join(" -> ", cycle)}", "remove one of these extends");
            return null;
        }

        if (resolved is null)
        {
            Error(child.Source, reference.Line, reference.Column, $"extends '{parent.Name}', which is invalid", $"fix the errors of '{parent.Name}' ({parent.Source}) first");
            return null;
        }

        if (resolved.Depth >= MaxExtendsDepth)
        {
            Error(child.Source, reference.Line, reference.Column, $"extends chain is deeper than {MaxExtendsDepth} profiles", "flatten the chain of profiles");
            return null;
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
            parents.Count == 0 ? 0 : parents.Max(p => p.Depth) + 1,
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
