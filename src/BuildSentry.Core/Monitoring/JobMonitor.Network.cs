using System.Net;
using BuildSentry.Core.Alerts;
using BuildSentry.Core.Events;
using BuildSentry.Core.Network;
using BuildSentry.Core.Processes;
using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Monitoring;

public sealed partial class JobMonitor
{
    private const int DnsPort = 53;
    private const string UnnamedProcess = "a process of the job (its socket closed before it could be named)";

    private void OnConnection(DateTimeOffset time, FlowKey flow, FlowAttribution attribution)
    {
        if (!IsJudgedConnection(flow))
        {
            return;
        }

        if (!TryAttribute(attribution, out var process, out var state))
        {
            OnOutsideConnection(time, flow, attribution, process);
            return;
        }

        var key = DestinationKey(flow);
        if (state.Sightings.IsSecond(key, time, attribution.AtSyscall))
        {
            // The capture's sighting of a connection the kernel reported unnamed: the answer that names it is in by now.
            if (!attribution.AtSyscall && state.Unnamed.TryTake(key, out var held))
            {
                JudgeConnection(state, key, held.Flow, held.Attribution, held.Process, held.Time, namesAt: time);
            }

            return;
        }

        if (attribution.AtSyscall && state.Mode == ProfileMode.Audit
            && Names.NamesFor(attribution.NetworkNamespace, flow.Destination, time).Count == 0
            && !ConnectionVerdict(state, flow, []).Allowed
            && state.Unnamed.TryHold(key, new UnnamedSighting(time, flow, attribution, process)))
        {
            return;
        }

        JudgeConnection(state, key, flow, attribution, process, time, namesAt: time);
    }

    private void JudgeConnection(JobState state, string key, FlowKey flow, FlowAttribution attribution, ProcessRecord? process,
        DateTimeOffset time, DateTimeOffset namesAt)
    {
        var (destination, names) = NamedDestination(state, key, flow, attribution, namesAt, process);
        var verdict = ConnectionVerdict(state, flow, names);
        Judge(state, process, destination, verdict, AlertKinds.EgressConnection, "Egress to a destination not in the profile", flow, names, null, time);
    }

    /// <summary>Judges the unnamed sightings that waited their while for the capture's (all of a job that is finishing).</summary>
    private void JudgeUnnamed(JobState state, DateTimeOffset now)
    {
        if (state.Unnamed.Count == 0)
        {
            return;
        }

        foreach (var (key, held) in state.Unnamed.TakeDue(now))
        {
            JudgeConnection(state, key, held.Flow, held.Attribution, held.Process, held.Time, namesAt: now == DateTimeOffset.MaxValue ? held.Time : now);
        }
    }

    /// <summary>Housekeeping: unnamed sightings whose capture sighting never came are judged as they are.</summary>
    public void JudgeOverdueSightings(DateTimeOffset now)
    {
        foreach (var state in _states.Values.Concat(_ending.Values.Select(e => e.State)))
        {
            JudgeUnnamed(state, now);
        }
    }

    /// <summary>
    /// Prevent mode: the kernel refused the connect or send against the job's allowlist. Always alerted (action
    /// prevented, never a kill): where the profile would have allowed it, the allowlist lacked an entry, and the
    /// reason says so rather than hide a refusal the job saw.
    /// </summary>
    private void OnPrevented(ConnectionPrevented prevented)
    {
        var (time, flow) = (prevented.Time, prevented.Flow);
        if (!TryAttribute(prevented.Attribution, out var process, out var state))
        {
            return;
        }

        var (destination, names) = NamedDestination(state, DestinationKey(flow), flow, prevented.Attribution, time, process);
        var verdict = ConnectionVerdict(state, flow, names);
        if (verdict.Allowed)
        {
            verdict = EgressVerdict.Deny($"refused by the job's kernel allowlist, which had no entry for it, though {verdict.Reason}");
        }

        if (prevented.UdpConnectOnly)
        {
            // In the report, not alerted: no datagram was under way, and resolvers connect to every address they sort.
            destination.Attempts++;
            Count(verdict);
            destination.Allowed = false;
            destination.Reason = $"UDP connect refused (no datagram sent): {verdict.Reason}";
            return;
        }

        Judge(state, process, destination, verdict, AlertKinds.EgressConnection, "Egress refused: a destination not in the profile", flow, names,
            null, time);
    }

    private void OnServerName(DateTimeOffset time, FlowKey flow, FlowAttribution attribution, string name, string kind)
    {
        if (IPAddress.IsLoopback(flow.Destination) || !TryAttribute(attribution, out var process, out var state))
        {
            return;
        }

        var destination = Destination(state, DestinationKey(flow), flow, time, process);
        AddName(state, destination.ServerNames, name);
        var names = Names.NamesFor(attribution.NetworkNamespace, flow.Destination, time);
        var verdict = ServerNameVerdict(state, flow, name);
        var title = kind == AlertKinds.EgressTlsServerName ? "TLS server name not in the profile" : "HTTP Host not in the profile";
        Judge(state, process, destination, verdict, kind, title, flow, names, name, time);
    }

    private void OnDnsQuery(DnsQueryObserved query)
    {
        var outside = !TryAttribute(query.Attribution, out var process, out var state);
        if (outside)
        {
            if (OutsideQueryJob(query) is not { } exclusive)
            {
                return;
            }

            state = exclusive;
        }

        var verdict = DnsVerdict(state, query.Name);
        if (!state.DnsNames.TryGetValue(query.Name, out var record))
        {
            if (state.DnsNames.Count >= _options.MaxReportedDnsNames)
            {
                state.DnsNamesNotListed++;
                NotKept(state, $"DNS names listed ({_options.MaxReportedDnsNames})");
            }
            else
            {
                record = new DnsNameRecord(query.Name, query.Time);
                state.DnsNames[query.Name] = record;
            }
        }

        if (record is not null)
        {
            record.Queries++;
            record.Allowed = verdict.Allowed;
            record.Rule = verdict.Allowed ? verdict.Rule?.ToString() : null;
            record.Reason = verdict.Reason;
        }

        Count(verdict);
        if (!verdict.Allowed)
        {
            var destination = new AlertDestination(query.Flow.Destination.ToString(), query.Flow.DestinationPort,
                ProtocolName(query.Flow.Protocol), [query.Name], null);
            Violation(state, process, AlertKinds.EgressDns, "DNS query for a name not in the profile", destination, null, verdict.Reason,
                "dns:" + query.Name, query.Time, ProfileEdit.ForDnsQuery(state.Profile, query.Name));
        }

        if (outside)
        {
            KillOutsider(state, process, verdict);
        }
    }

    private void OnDnsAnswer(DnsAnswerObserved answer)
    {
        // An address is known by its owner name and by every alias that leads to it (CNAME chains).
        var aliasesOf = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var record in answer.Answers)
        {
            if (record is { Type: DnsRecordType.Cname, Target: { } target })
            {
                if (!aliasesOf.TryGetValue(target, out var list))
                {
                    aliasesOf[target] = list = [];
                }

                list.Add(record.Name);
            }
        }

        foreach (var record in answer.Answers)
        {
            if (record is { Type: DnsRecordType.A or DnsRecordType.Aaaa, Address: { } address })
            {
                foreach (var name in NameAndAliases(record.Name, aliasesOf))
                {
                    Names.Record(answer.NetworkNamespace, address, name, TimeSpan.FromSeconds(record.Ttl), answer.Time);
                }
            }
        }
    }

    private static IEnumerable<string> NameAndAliases(string name, Dictionary<string, List<string>> aliasesOf)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { name };
        var pending = new Queue<string>();
        pending.Enqueue(name);
        while (pending.TryDequeue(out var current) && seen.Count <= 16)
        {
            yield return current;
            if (aliasesOf.TryGetValue(current, out var aliases))
            {
                foreach (var alias in aliases.Where(seen.Add))
                {
                    pending.Enqueue(alias);
                }
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="e"/> is a network finding whose socket owner the tracker does not know yet,
    /// or knows running another program than the one that owned the socket. The process sensor reads its
    /// events after the fact and can trail the capture thread; a finding judged before its owner's fork
    /// and exec are applied loses its process (or names the shell it forked from) and, before the job's
    /// cgroup holds the owner, its job. The caller holds such a finding until the process sensor caught up.
    /// </summary>
    public bool AwaitsOwner(SensorEvent e)
    {
        if (e is not NetworkFinding { Attribution: { Owner: { } owner } attribution })
        {
            return false;
        }

        if (!Tracker.Processes.TryGet(owner, out var known) && !Tracker.Processes.TryGetLive(owner.Pid, out known))
        {
            return true;
        }

        return attribution.OwnerExe is { } exe && !string.Equals(known.Details.Exe, exe, StringComparison.Ordinal);
    }

    /// <summary>
    /// The flow's process and job. A process the tracker knows decides the job; without one, the job the kernel
    /// matched the socket's cgroup to does, and the process stays unnamed (null) rather than guessed; then the job whose
    /// process shares the socket's network namespace, with the socket's owner named as it is (outside every job).
    /// </summary>
    private bool TryAttribute(FlowAttribution attribution, out ProcessRecord? process, out JobState state)
    {
        process = null;
        state = null!;
        if (attribution.Owner is { } owner
            && (Tracker.Processes.TryGet(owner, out var known) || Tracker.Processes.TryGetLive(owner.Pid, out known)))
        {
            process = known;
            if (known.JobId is { } jobId)
            {
                return TryGetJobState(jobId, out state);
            }
        }

        if (attribution.KernelJob is { } kernelJob && TryGetJobState(kernelJob, out state))
        {
            Counters.KernelAttributedFlows += process is null ? 1 : 0;
            return true;
        }

        // The daemon's own forwarder asks upstream from inside a held job's namespace; its queries are judged as it
        // answers them, not again as they leave.
        if (attribution.NamespaceMember is { } member && !IsDaemon(attribution)
            && (Tracker.Processes.TryGet(member, out var inNamespace) || Tracker.Processes.TryGetLive(member.Pid, out inNamespace))
            && inNamespace.JobId is { } namespaceJob && TryGetJobState(namespaceJob, out state))
        {
            return true;
        }

        if (process is null)
        {
            Counters.UnattributedFlows++;
        }

        return false;
    }

    /// <summary>An active job, or one that ended within <see cref="MonitorOptions.LateFlowGrace"/>.</summary>
    private bool TryGetJobState(string jobId, out JobState state)
    {
        if (_states.TryGetValue(jobId, out state!))
        {
            return true;
        }

        if (_ending.TryGetValue(jobId, out var ending))
        {
            state = ending.State;
            return true;
        }

        return false;
    }

    /// <summary>The flow's destination row, with the names the job resolved for its address added to it.</summary>
    private (DestinationRecord Destination, IReadOnlyList<string> Names) NamedDestination(JobState state, string key, FlowKey flow,
        FlowAttribution attribution, DateTimeOffset time, ProcessRecord? process)
    {
        var names = Names.NamesFor(attribution.NetworkNamespace, flow.Destination, time);
        var destination = Destination(state, key, flow, time, process);
        foreach (var name in names)
        {
            AddName(state, destination.Names, name);
        }

        return (destination, names);
    }

    /// <summary>A job's destination: address, port and protocol (the report's row, and what two sensors' sightings share).</summary>
    private static string DestinationKey(FlowKey flow) => $"{flow.Destination}|{flow.DestinationPort}|{flow.Protocol}";

    private DestinationRecord Destination(JobState state, string key, FlowKey flow, DateTimeOffset time, ProcessRecord? process)
    {
        if (state.Destinations.TryGetValue(key, out var record))
        {
            return record;
        }

        record = new DestinationRecord(flow.Destination.ToString(), flow.DestinationPort, ProtocolName(flow.Protocol), time)
        {
            FirstProcess = process is null ? UnnamedProcess
                : process.JobId == state.Job.Id ? $"{process.Key.Pid} {process.Details.Exe}"
                : $"{process.Key.Pid} {process.Details.Exe} (outside the job)",
        };
        if (state.Destinations.Count < _options.MaxReportedDestinations)
        {
            state.Destinations[key] = record;
        }
        else
        {
            state.DestinationsNotListed++;
            NotKept(state, $"destinations listed ({_options.MaxReportedDestinations})");
        }

        return record;
    }

    private void AddName(JobState state, HashSet<string> names, string name)
    {
        if (names.Count < _options.MaxNamesPerDestination)
        {
            names.Add(name);
        }
        else if (!names.Contains(name))
        {
            state.DestinationNamesNotListed++;
            NotKept(state, $"names per destination ({_options.MaxNamesPerDestination})");
        }
    }

    private void Judge(JobState state, ProcessRecord? process, DestinationRecord destination, EgressVerdict verdict, string kind, string title,
        FlowKey flow, IReadOnlyList<string> names, string? serverName, DateTimeOffset time)
    {
        destination.Attempts++;
        Count(verdict);
        if (verdict.Allowed)
        {
            destination.Rule ??= verdict.Rule?.ToString();
            destination.Reason = destination.Allowed ? verdict.Reason : destination.Reason;
            return;
        }

        destination.Allowed = false;
        destination.Rule = null;
        destination.Reason = verdict.Reason;
        var alertDestination = new AlertDestination(flow.Destination.ToString(), flow.DestinationPort, ProtocolName(flow.Protocol), names, serverName);
        Violation(state, process, kind, title, alertDestination, null, verdict.Reason,
            $"{flow.Destination}|{flow.DestinationPort}|{serverName}", time,
            ProfileEdit.ForConnection(state.Profile, names, serverName, flow.Destination, flow.DestinationPort, flow.Protocol));
    }

    private void Count(EgressVerdict verdict)
    {
        if (verdict.Allowed)
        {
            Counters.Allowed++;
        }
        else
        {
            Counters.Denied++;
        }
    }

    private static EgressVerdict NoProfile(JobState state) => EgressVerdict.Deny(state.ProfileReason);

    /// <summary>Loopback never leaves the machine, and a flow to a resolver is judged by the names it asks for.</summary>
    private static bool IsJudgedConnection(FlowKey flow) => !IPAddress.IsLoopback(flow.Destination) && flow.DestinationPort != DnsPort;

    private static EgressVerdict ConnectionVerdict(JobState state, FlowKey flow, IReadOnlyList<string> names) =>
        state.Profile?.EvaluateConnection(names, flow.Destination, flow.DestinationPort, flow.Protocol) ?? NoProfile(state);

    /// <summary>A TLS server name or HTTP Host; "Host: 198.18.0.10" names no host: the address it names is judged instead.</summary>
    private static EgressVerdict ServerNameVerdict(JobState state, FlowKey flow, string name) =>
        (IPAddress.TryParse(name, out var literal)
            ? state.Profile?.EvaluateConnection([], literal, flow.DestinationPort, flow.Protocol)
            : state.Profile?.EvaluateHostName(name))
        ?? NoProfile(state);

    private static EgressVerdict DnsVerdict(JobState state, string name) => state.Profile?.EvaluateDnsQuery(name) ?? NoProfile(state);

    private static string ProtocolName(TransportProtocol transport) => transport == TransportProtocol.Udp ? "udp" : "tcp";
}
