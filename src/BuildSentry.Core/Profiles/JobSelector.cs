using System.Text;

namespace BuildSentry.Core.Profiles;

/// <summary>
/// One entry of a profile's <c>match:</c>. Every field it sets must fit the job; fields it leaves
/// out are not looked at.
/// </summary>
public sealed record JobSelector(
    CiSystem? CiSystem,
    Glob? Repository,
    Glob? Workflow,
    Glob? Job,
    Glob? Runner,
    RuleReference Reference)
{
    private IEnumerable<Glob> Globs => new[] { Repository, Workflow, Job, Runner }.OfType<Glob>();

    public int FieldCount => (CiSystem is null ? 0 : 1) + Globs.Count();

    public int WildcardCount => Globs.Sum(g => g.WildcardCount);

    public int LiteralLength => Globs.Sum(g => g.LiteralLength);

    public bool Matches(JobDescriptor job) =>
        (CiSystem is null || CiSystem == job.CiSystem)
        && (Repository is null || Repository.Matches(job.Repository))
        && (Workflow is null || Workflow.Matches(job.Workflow))
        && (Job is null || Job.Matches(job.JobName))
        && (Runner is null || Runner.Matches(job.RunnerName));

    public override string ToString()
    {
        var text = new StringBuilder();
        Append(text, "ci", CiSystem?.ToString().ToLowerInvariant());
        Append(text, "repository", Repository?.Pattern);
        Append(text, "workflow", Workflow?.Pattern);
        Append(text, "job", Job?.Pattern);
        Append(text, "runner", Runner?.Pattern);
        return text.ToString();
    }

    private static void Append(StringBuilder text, string key, string? value)
    {
        if (value is null)
        {
            return;
        }

        text.Append(text.Length == 0 ? "" : ", ").Append(key).Append('=').Append(value);
    }
}
