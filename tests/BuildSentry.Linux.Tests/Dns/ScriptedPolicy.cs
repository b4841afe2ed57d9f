using System.Collections.Concurrent;
using System.Net;
using BuildSentry.Linux.Dns;

namespace BuildSentry.Linux.Tests.Dns;

/// <summary>A policy that decides by a given function and records every call; it can hold answers at a gate.</summary>
internal sealed class ScriptedPolicy(Func<DnsQueryContext, DnsDecision> decide) : IDnsForwarderPolicy
{
    public ConcurrentQueue<DnsQueryContext> Decided { get; } = new();

    public ConcurrentQueue<(DnsQueryContext Query, IReadOnlyList<DnsAddressAnswer> Answers)> Answered { get; } = new();

    /// <summary>Completed when <see cref="AnsweredAsync"/> is first entered.</summary>
    public TaskCompletionSource AnsweredEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>When set, <see cref="AnsweredAsync"/> waits for it before returning.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public static ScriptedPolicy ForwardAll(IPEndPoint upstream) => new(_ => DnsDecision.Forward(upstream));

    public DnsDecision Decide(DnsQueryContext query)
    {
        Decided.Enqueue(query);
        return decide(query);
    }

    public async ValueTask AnsweredAsync(DnsQueryContext query, IReadOnlyList<DnsAddressAnswer> answers, CancellationToken cancellationToken)
    {
        Answered.Enqueue((query, answers));
        AnsweredEntered.TrySetResult();
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }
    }
}
