using BuildSentry.Core.Events;

namespace BuildSentry.Core.Network;

/// <summary>
/// Which process owns a flow, in which network namespace. <see cref="Owner"/> is null when the
/// flow could not be attributed, and <see cref="Failure"/> says why: a flow is never guessed.
/// </summary>
public sealed record FlowAttribution(ProcessKey? Owner, ulong NetworkNamespace, string? Failure)
{
    public static FlowAttribution Unattributed(ulong netns, string why) => new(null, netns, why);
}
