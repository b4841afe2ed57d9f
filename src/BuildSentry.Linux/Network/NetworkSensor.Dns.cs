using BuildSentry.Core.Network;
using BuildSentry.Linux.Decoding;

namespace BuildSentry.Linux.Network;

public sealed partial class NetworkSensor
{
    private readonly List<DnsMessage> _messages = [];

    private void OnDns(DateTimeOffset time, FlowKey flow, bool tcp, bool fromServer, ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return;
        }

        // Every DNS event is keyed by the client's side of the flow: client → server.
        var clientFlow = fromServer
            ? new FlowKey(flow.Protocol, flow.Destination, flow.DestinationPort, flow.Source, flow.SourcePort)
            : flow;
        _messages.Clear();
        if (tcp)
        {
            var table = fromServer ? _dnsQueries : _tcp;
            var key = fromServer ? Reverse(clientFlow) : clientFlow;
            if (!table.TryGet(key, out var state))
            {
                state = new FlowState(null);
                table.TryAdd(key, state);
            }

            (state.Dns ??= new DnsTcpReassembler()).Feed(payload, _messages);
        }
        else if (DnsMessageParser.TryParse(payload, out var message))
        {
            _messages.Add(message);
        }

        foreach (var message in _messages)
        {
            if (message.IsResponse && fromServer)
            {
                OnDnsAnswer(time, clientFlow, message);
            }
            else if (!message.IsResponse && !fromServer)
            {
                OnDnsQuery(time, clientFlow, message);
            }
        }
    }

    private void OnDnsQuery(DateTimeOffset time, FlowKey flow, DnsMessage message)
    {
        var attribution = QueryOwner(flow);
        foreach (var question in message.Questions)
        {
            Interlocked.Increment(ref Counters.DnsQueriesValue);
            Emit(new DnsQueryObserved(time, flow, message.Id, question.Name, (int)question.Type, attribution));
        }
    }

    private void OnDnsAnswer(DateTimeOffset time, FlowKey flow, DnsMessage message)
    {
        var answers = new List<DnsRecord>(message.Answers.Count);
        foreach (var answer in message.Answers)
        {
            var type = answer.Type switch
            {
                DnsWireType.A => DnsRecordType.A,
                DnsWireType.Aaaa => DnsRecordType.Aaaa,
                DnsWireType.Cname => DnsRecordType.Cname,
                _ => (DnsRecordType?)null,
            };
            if (type is { } known)
            {
                answers.Add(new DnsRecord(answer.Name, known, answer.Ttl, answer.Address, answer.Target));
            }
        }

        var question = message.Questions.Count > 0 ? message.Questions[0].Name : "";
        Interlocked.Increment(ref Counters.DnsAnswersValue);
        Emit(new DnsAnswerObserved(time, flow, message.Id, question, answers, QueryOwner(flow).NetworkNamespace));
    }

    /// <summary>The asking socket, found once per client flow: the answer's namespace is the asker's.</summary>
    private FlowAttribution QueryOwner(FlowKey flow)
    {
        if (_dnsQueries.TryGet(flow, out var state) && state.Attribution is { } known)
        {
            return known;
        }

        var attribution = Attribute(flow);
        if (state is null)
        {
            _dnsQueries.TryAdd(flow, new FlowState(attribution));
        }
        else
        {
            state.Attribution = attribution;
        }

        return attribution;
    }

    private static FlowKey Reverse(FlowKey flow) =>
        new(flow.Protocol, flow.Destination, flow.DestinationPort, flow.Source, flow.SourcePort);
}
