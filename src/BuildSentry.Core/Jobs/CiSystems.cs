namespace BuildSentry.Core.Jobs;

/// <summary>The CI system names used in job ids, profiles' <c>match.ci</c> and reports.</summary>
public static class CiSystems
{
    public const string GitHub = "github";
    public const string GitLab = "gitlab";
    public const string Jenkins = "jenkins";
    public const string Buildkite = "buildkite";
    public const string Azure = "azure";

    /// <summary>A job registered through the control socket without a recognised CI system.</summary>
    public const string Manual = "manual";
}
