using System.Text.Json.Serialization;
using BuildSentry.Core.Events;

namespace BuildSentry.Core.Network;

/// <summary>
/// Which process owns a flow, in which network namespace. <see cref="Owner"/> is null when the
/// flow could not be attributed, and <see cref="Failure"/> says why: a flow is never guessed.
/// <see cref="KernelJob"/> is the job whose cgroup the kernel matched the flow's socket to as its first
/// packet left (an NFLOG rule per job): known even when the socket closed before its owner could be named.
/// </summary>
public sealed record FlowAttribution(ProcessKey? Owner, ulong NetworkNamespace, string? Failure, string? KernelJob = null)
{
    /// <summary>The program the owner ran when it was found (its /proc/PID/exe), when it was read: the
    /// monitor waits for the process sensor to report that exec before it judges the flow.</summary>
    public string? OwnerExe { get; init; }

    /// <summary>Named by the kernel as the owner called connect or sendmsg (the calling task and its job), not found
    /// afterwards from a captured packet's socket. Left out of traces when false, so older traces read the same.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool AtSyscall { get; init; }

    /// <summary>A job's process in the network namespace (not the host's) where the flow's socket was found. The flow is
    /// that job's when its owner is in no job: Docker's embedded resolver asks the job's DNS from dockerd's socket in
    /// the container's namespace. Left out of traces when null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ProcessKey? NamespaceMember { get; init; }

    public static FlowAttribution Unattributed(ulong netns, string why) => new(null, netns, why);
}
