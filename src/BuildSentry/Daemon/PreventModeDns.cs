using System.Net;
using System.Net.Sockets;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using BuildSentry.Linux.Attribution;
using BuildSentry.Linux.Dns;
using BuildSentry.Linux.Kernel;

namespace BuildSentry.Daemon;

/// <summary>
/// Prevent mode's DNS: the kernel sends a prevent-mode job's port-53 traffic to the forwarder, which asks this policy.
/// The asking socket (its cookie, from sock_diag) names the job and the server the job asked; a name the job's
/// profile does not allow is answered NXDOMAIN and nothing leaves the host; an allowed one goes to the host's resolvers
/// (never to the server the job asked, which the job could own: it would read the query and could answer an allowed
/// name with an address of its own), and the addresses of the answer enter the job's kernel allowlist before the job
/// gets it. Both are
/// reported as the capture would report them (DnsQueryObserved, prevented or not, and DnsAnswerObserved).
/// </summary>
internal sealed class PreventModeDns(KernelProcessSensor sensor, MonitorPipeline pipeline, TimeProvider time)
{
    /// <summary>An answer's addresses stay on the allowlist at least this long, whatever their TTL: resolvers and
    /// runtimes cache answers beyond it (Java for 30 s), and a build must not fail on a connect its profile allows.</summary>
    public static readonly TimeSpan MinimumHold = TimeSpan.FromSeconds(60);

    private static readonly BuildSentry.Linux.Processes.ProcFs Proc = new();

    /// <summary>The resolvers every allowed query goes to (prevent.dns_servers, else the daemon's resolv.conf), never
    /// the server the job asked: the job sees its answer as if that server had given it.</summary>
    public IReadOnlyList<IPEndPoint> Upstreams { get; set; } = [];

    public long Refused => Interlocked.Read(ref _refused);

    private long _refused;

    /// <summary>The kernel, which redirected the query, gave it to the forwarder of the asker's own namespace.</summary>
    public DnsDecision Decide(DnsQueryContext query, NamespaceDns where)
    {
        if (FindAsker(query, where, withExe: true) is not { } asker)
        {
            Interlocked.Increment(ref _refused);
            return DnsDecision.Refuse(DnsResponseCode.Refused, "the asking socket is no prevent-mode job's (or it closed before it was looked up)");
        }

        var verdict = pipeline.Read((asker.JobId, query.Name), static (monitor, q) =>
            monitor.TryGetState(q.JobId, out var state)
                ? state.Profile?.EvaluateDnsQuery(q.Name) ?? EgressVerdict.Deny("no profile selected this job")
                : null);
        if (verdict is null)
        {
            Interlocked.Increment(ref _refused);
            return DnsDecision.Refuse(DnsResponseCode.Refused, "the asking job has ended");
        }

        pipeline.ApplyInline(new DnsQueryObserved(time.GetUtcNow(), asker.Flow, query.Id, query.Name, (int)query.Type, asker.Owner)
        {
            Prevented = !verdict.Allowed,
        });
        if (!verdict.Allowed)
        {
            // NXDOMAIN, not REFUSED: the resolver gives up at once instead of asking its other servers (which would be
            // sent here too) and the build fails fast with "could not resolve host".
            Interlocked.Increment(ref _refused);
            return DnsDecision.Refuse(DnsResponseCode.NameError, verdict.Reason);
        }

        if (where.Ipv6Off && query.Type == BuildSentry.Linux.Decoding.DnsWireType.Aaaa)
        {
            return DnsDecision.NoData("IPv6 is off in the asker's network namespace");
        }

        return Upstreams.Count == 0
            ? DnsDecision.Refuse(DnsResponseCode.Refused, "no DNS server is configured for prevent mode")
            : DnsDecision.Forward(Upstreams[0]);
    }

    public ValueTask AnsweredAsync(DnsQueryContext query, IReadOnlyList<DnsAddressAnswer> answers, NamespaceDns where)
    {
        if (FindAsker(query, where, withExe: false) is not { } asker)
        {
            return ValueTask.CompletedTask;
        }

        var profile = pipeline.Read(asker.JobId, static (monitor, job) => monitor.TryGetState(job, out var state) ? state.Profile : null);
        var records = new List<DnsRecord>(answers.Count);
        foreach (var answer in answers)
        {
            var v4 = answer.Address.AddressFamily == AddressFamily.InterNetwork;
            records.Add(new DnsRecord(answer.Name, v4 ? DnsRecordType.A : DnsRecordType.Aaaa, (uint)answer.Ttl.TotalSeconds, answer.Address, null));
            if (PreventAllowlist.ForAnswer(profile, [query.Name, answer.Name], answer.Address) is { } entry)
            {
                sensor.Policy.Allow(asker.Slot, entry.Network, entry.PrefixLength, entry.Tcp, entry.Udp,
                    [.. entry.Ports.Select(p => (p.Low, p.High))], answer.Ttl > MinimumHold ? answer.Ttl : MinimumHold);
            }
        }

        pipeline.ApplyInline(new DnsAnswerObserved(time.GetUtcNow(), asker.Flow, query.Id, query.Name, records, asker.Owner.NetworkNamespace));
        return ValueTask.CompletedTask;
    }

    /// <summary>The job member behind the query's socket and the server it asked, from the kernel's maps. The owner's
    /// program (<paramref name="withExe"/>) matters only for the query's finding, not for its answer.</summary>
    private Asker? FindAsker(DnsQueryContext query, NamespaceDns where, bool withExe)
    {
        var protocol = query.Transport == DnsTransport.Tcp ? TransportProtocol.Tcp : TransportProtocol.Udp;
        var local = where.Listening.FirstOrDefault(e => e.AddressFamily == query.Client.AddressFamily);
        if (local is null
            || (where.Cookies.CookieOf(new FlowKey(protocol, query.Client.Address, query.Client.Port, local.Address, local.Port))
                ?? ClosedSender(query, where)) is not { } cookie
            || sensor.Policy.DnsOrigin(cookie) is not { } server
            || !sensor.SocketOwners.TryFind(cookie, out var slot, out var owner) || owner.KernelJob is not { } jobId)
        {
            return null;
        }

        var flow = new FlowKey(protocol, query.Client.Address, query.Client.Port, server.Address, server.Port);
        // The program the owner runs now lets the monitor wait for that exec before it judges the query.
        return new Asker(jobId, slot, server, flow,
            owner with { AtSyscall = true, OwnerExe = withExe ? Proc.ReadExe(owner.Owner!.Value.Pid) : null });
    }

    /// <summary>A datagram whose socket sock_diag no longer finds (its process sent one query and exited): the kernel
    /// remembered which socket sent from that port when it redirected it. The cookie then names the job and the
    /// process as for a live socket.</summary>
    private ulong? ClosedSender(DnsQueryContext query, NamespaceDns where)
    {
        if (query.Transport != DnsTransport.Udp)
        {
            return null;
        }

        var family = query.Client.Address.IsIPv4MappedToIPv6 ? AddressFamily.InterNetwork : query.Client.AddressFamily;
        return sensor.Policy.DnsClient(where.Inode, family, query.Client.Port);
    }

    private sealed record Asker(string JobId, uint Slot, IPEndPoint Server, FlowKey Flow, FlowAttribution Owner);
}
