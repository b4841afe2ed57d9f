using BuildSentry.Core.Enforcement;
using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;

namespace BuildSentry.Replay;

/// <summary>The processes of a trace are long gone, or are someone else's now: replay never signals anything.</summary>
internal sealed class DryRunEnforcer : IEnforcer
{
    public long Kills { get; private set; }

    public KillResult Kill(JobRecord job, IReadOnlyList<ProcessKey> members)
    {
        Kills++;
        return new KillResult("replay (not carried out)", 0, null);
    }

    public bool KillProcess(ProcessKey process) => false;
}
