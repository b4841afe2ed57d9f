using System.Diagnostics.CodeAnalysis;

namespace BuildSentry.Core.Profiles;

/// <summary>The resolved, validated profiles, by name, with the default for jobs nothing matches.</summary>
public sealed class ProfileSet
{
    public const string DefaultProfileName = "default";

    private readonly Dictionary<string, ResolvedProfile> _byName;

    internal ProfileSet(IEnumerable<ResolvedProfile> profiles, string? defaultName)
    {
        Profiles = profiles.OrderBy(p => p.Name, StringComparer.Ordinal).ToArray();
        _byName = Profiles.ToDictionary(p => p.Name, StringComparer.Ordinal);
        Default = Find(defaultName ?? DefaultProfileName);
        Selector = new ProfileSelector(this);
    }

    /// <summary>Sorted by name (ordinal).</summary>
    public IReadOnlyList<ResolvedProfile> Profiles { get; }

    public ResolvedProfile? Default { get; }

    public ProfileSelector Selector { get; }

    public ResolvedProfile? Find(string name) => _byName.GetValueOrDefault(name);

    public bool TryGet(string name, [NotNullWhen(true)] out ResolvedProfile? profile) =>
        _byName.TryGetValue(name, out profile);

    public ProfileSelection Select(JobDescriptor job) => Selector.Select(job);
}
