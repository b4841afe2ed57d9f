using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using BuildSentry.Linux.Decoding;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Linux.Dns;

/// <summary>
/// One query from receipt to reply, the same for both transports: sort it, ask the policy, answer a refusal at once
/// or forward it, tell the policy the answer's addresses, and only then relay the answer unchanged.
/// </summary>
internal sealed class DnsQueryHandler(
    IDnsForwarderPolicy policy, DnsForwarderOptions options, DnsForwarderCounters counters, ILogger logger, TimeProvider time)
{
    private int _inFlight;

    /// <summary>Never throws. The refusals and error replies finish before the first real await.</summary>
    public async Task HandleAsync(IDnsClient client, byte[] query, long receivedAt, CancellationToken stopping)
    {
        try
        {
            Interlocked.Increment(ref counters.QueriesValue);
            var status = DnsQueryReader.Read(query, out var question, out var questionEnd);
            if (status != DnsQueryStatus.Query)
            {
                await RejectAsync(client, query, status, questionEnd, stopping);
                return;
            }

            var context = new DnsQueryContext(
                client.Transport, client.EndPoint, BinaryPrimitives.ReadUInt16BigEndian(query), question!.Name, question.Type);
            if (Decide(context) is not { } decision)
            {
                await ReplyAsync(client, query, questionEnd, DnsResponseCode.ServerFailure, stopping);
                return;
            }

            if (decision.Upstream is not { } upstream)
            {
                if (decision.ResponseCode != DnsResponseCode.NoError)
                {
                    Interlocked.Increment(ref counters.RefusedValue);
                }

                DnsForwarderLog.Refused(
                    logger, context.Name, context.Type, context.Client, context.Transport, decision.ResponseCode, decision.Reason);
                await ReplyAsync(client, query, questionEnd, decision.ResponseCode, stopping);
                return;
            }

            if (Interlocked.Increment(ref _inFlight) > options.MaxInFlight)
            {
                Interlocked.Decrement(ref _inFlight);
                Interlocked.Increment(ref counters.OverloadedValue);
                await ReplyAsync(client, query, questionEnd, DnsResponseCode.ServerFailure, stopping);
                return;
            }

            try
            {
                await ForwardAsync(client, query, questionEnd, context, upstream, receivedAt, stopping);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            DnsForwarderLog.QueryFailed(logger, e, client.EndPoint, client.Transport);
        }
    }

    private async ValueTask RejectAsync(IDnsClient client, byte[] query, DnsQueryStatus status, int questionEnd, CancellationToken stopping)
    {
        if (status == DnsQueryStatus.NotImplemented)
        {
            Interlocked.Increment(ref counters.RefusedValue);
            await ReplyAsync(client, query, questionEnd, DnsResponseCode.NotImplemented, stopping);
            return;
        }

        Interlocked.Increment(ref counters.MalformedValue);
        if (status == DnsQueryStatus.Malformed)
        {
            await ReplyAsync(client, query, questionEnd, DnsResponseCode.FormatError, stopping);
        }
    }

    /// <summary>The policy's decision, or null (logged) when it threw.</summary>
    private DnsDecision? Decide(DnsQueryContext context)
    {
        try
        {
            return policy.Decide(context);
        }
        catch (Exception e)
        {
            DnsForwarderLog.PolicyFailed(logger, e, context.Name, context.Type, context.Client);
            return null;
        }
    }

    private async Task ForwardAsync(
        IDnsClient client, byte[] query, int questionEnd, DnsQueryContext context, IPEndPoint upstream, long receivedAt, CancellationToken stopping)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(DnsTcpFraming.MaxMessageLength);
        try
        {
            Interlocked.Increment(ref counters.ForwardedValue);
            if (await ExchangeAsync(context, upstream, DnsQueryReader.QuestionOnly(query, questionEnd), buffer, stopping) is not { } answer)
            {
                await ReplyAsync(client, query, questionEnd, DnsResponseCode.ServerFailure, stopping);
                return;
            }

            try
            {
                await policy.AnsweredAsync(context, answer.Addresses(), stopping);
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                DnsForwarderLog.PolicyFailed(logger, e, context.Name, context.Type, context.Client);
                await ReplyAsync(client, query, questionEnd, DnsResponseCode.ServerFailure, stopping);
                return;
            }

            if (await ReplyAsync(client, buffer.AsMemory(0, answer.Length), stopping))
            {
                counters.AddedLatency.Record(time.GetElapsedTime(receivedAt) - answer.RoundTrip);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The upstream's answer, or null (counted and logged) when it timed out or failed.</summary>
    private async Task<DnsUpstreamAnswer?> ExchangeAsync(
        DnsQueryContext context, IPEndPoint upstream, byte[] query, byte[] buffer, CancellationToken stopping)
    {
        using var deadline = new Deadline(options.UpstreamTimeout, time, stopping);
        try
        {
            return await DnsUpstream.ExchangeAsync(context.Transport, upstream, query, buffer, time, deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.Expired)
        {
            Interlocked.Increment(ref counters.UpstreamTimeoutsValue);
            DnsForwarderLog.UpstreamTimedOut(
                logger, upstream, context.Name, context.Type, context.Transport, options.UpstreamTimeout.TotalMilliseconds);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            Interlocked.Increment(ref counters.UpstreamErrorsValue);
            DnsForwarderLog.UpstreamFailed(logger, upstream, context.Name, context.Type, context.Transport, e.Message);
        }

        return null;
    }

    private static ValueTask<bool> ReplyAsync(
        IDnsClient client, byte[] query, int questionEnd, DnsResponseCode responseCode, CancellationToken stopping) =>
        ReplyAsync(client, DnsReplies.Build(query, questionEnd, responseCode), stopping);

    /// <summary>A client that went away is no failure of the forwarder's: false, and nothing else happens.</summary>
    private static async ValueTask<bool> ReplyAsync(IDnsClient client, ReadOnlyMemory<byte> reply, CancellationToken stopping)
    {
        try
        {
            await client.SendAsync(reply, stopping);
            return true;
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException
            || (e is OperationCanceledException && !stopping.IsCancellationRequested))
        {
            return false;
        }
    }
}
