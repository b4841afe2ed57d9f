namespace BuildSentry.Core.Profiles;

/// <summary>What is known about a job when its profile is chosen; unknown fields are null.</summary>
/// <param name="Repository">e.g. <c>acme/web</c> (GitHub) or <c>group/project</c> (GitLab).</param>
/// <param name="Workflow">The workflow or pipeline name or file.</param>
/// <param name="JobName">The job's name within the workflow.</param>
public sealed record JobDescriptor(
    CiSystem? CiSystem = null,
    string? Repository = null,
    string? Workflow = null,
    string? JobName = null,
    string? RunnerName = null);
