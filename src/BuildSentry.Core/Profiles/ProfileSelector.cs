namespace BuildSentry.Core.Profiles;

/// <summary>
/// Chooses a job's profile. Among the selectors that fit the job, the most specific wins: more fields
/// set, then fewer wildcard characters, then more literal characters; a tie goes to the profile name
/// that sorts first (ordinal), then to the selector written first. Nothing fits: the default profile.
/// </summary>
public sealed class ProfileSelector
{
    private readonly ProfileSet _profiles;

    public ProfileSelector(ProfileSet profiles) => _profiles = profiles;

    public ProfileSelection Select(JobDescriptor job)
    {
        ResolvedProfile? best = null;
        JobSelector? bestSelector = null;
        foreach (var profile in _profiles.Profiles)
        {
            foreach (var selector in profile.Selectors)
            {
                if (selector.Matches(job) && (bestSelector is null || IsMoreSpecific(selector, bestSelector)))
                {
                    (best, bestSelector) = (profile, selector);
                }
            }
        }

        if (best is not null && bestSelector is not null)
        {
            return new ProfileSelection(
                best,
                bestSelector,
                $"profile '{best.Name}' selected by match ({bestSelector}) at {bestSelector.Reference.Location}");
        }

        return _profiles.Default is { } fallback
            ? new ProfileSelection(fallback, null, $"no profile's match fits the job; using the default profile '{fallback.Name}'")
            : new ProfileSelection(null, null, "no profile's match fits the job and there is no default profile");
    }

    // Profiles are visited in ordinal name order and selectors in written order, so keeping the
    // earlier candidate on a tie is the documented tie-break.
    private static bool IsMoreSpecific(JobSelector candidate, JobSelector current)
    {
        if (candidate.FieldCount != current.FieldCount)
        {
            return candidate.FieldCount > current.FieldCount;
        }

        if (candidate.WildcardCount != current.WildcardCount)
        {
            return candidate.WildcardCount < current.WildcardCount;
        }

        return candidate.LiteralLength > current.LiteralLength;
    }
}
