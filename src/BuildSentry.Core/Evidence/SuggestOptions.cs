using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Evidence;

/// <param name="Extends">Null: chosen from <paramref name="Starters"/> (auto); empty: none; else these profiles.</param>
/// <param name="PublicSuffixes">Null: no list, so no wildcard is suggested at all.</param>
/// <param name="WildcardThreshold">Distinct subdomains of one registrable domain that make a wildcard; 0: never.</param>
public sealed record SuggestOptions(
    string Name,
    IReadOnlyList<JobSelector> Match,
    IReadOnlyList<string>? Extends,
    ProfileSet Starters,
    PublicSuffixList? PublicSuffixes,
    int WildcardThreshold = SuggestOptions.DefaultWildcardThreshold)
{
    public const int DefaultWildcardThreshold = 3;
}
