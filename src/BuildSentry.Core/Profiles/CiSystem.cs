namespace BuildSentry.Core.Profiles;

/// <summary>The CI systems whose jobs BuildSentry recognises; in profiles they are written in lower case.</summary>
public enum CiSystem
{
    GitHub,
    GitLab,
    Jenkins,
    Buildkite,
    Azure,
}
