using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Evidence;

/// <summary>A profile proposed from job reports, before it is written as YAML (<see cref="SuggestionYaml"/>).</summary>
/// <param name="Findings">What a reviewer must look at and the profile does not allow: denied processes that ran,
/// names no rule can carry.</param>
public sealed record ProfileSuggestion(
    string Name,
    int Reports,
    string FirstJob,
    IReadOnlyList<string> Extends,
    IReadOnlyList<JobSelector> Match,
    IReadOnlyList<SuggestedRule> Egress,
    IReadOnlyList<SuggestedRule> Dns,
    IReadOnlyList<string> Findings,
    IReadOnlyList<string> Notes);
