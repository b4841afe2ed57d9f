using System.Net;
using BuildSentry.Core.Events;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using BuildSentry.Core.Tracing;

namespace BuildSentry.Benchmarks.Replay;

/// <summary>
/// Writes a deterministic synthetic trace for <c>buildsentry replay</c> memory benchmarks: a few
/// GitHub jobs at a time, each a shell that forks and execs a few hundred short tools (all carrying
/// the job's markers, as real job processes do), some of which resolve and connect to the lab's
/// registry over TLS, and one per job to evil.test (an alert). Judge it with the lab profile
/// (tests/BuildSentry.EndToEnd/Profiles/lab.yaml).
/// </summary>
internal sealed class SyntheticTrace(TraceWriter writer, int seed = 42)
{
    private const int ConcurrentJobs = 4;
    private const int PidMax = 4_194_304;
    private static readonly IPAddress Agent = IPAddress.Parse("198.18.0.1");
    private static readonly IPAddress Resolver = IPAddress.Parse("198.18.0.2");
    private static readonly IPAddress Registry = IPAddress.Parse("198.18.0.10");
    private static readonly IPAddress Evil = IPAddress.Parse("198.18.0.66");
    private static readonly ProcessKey RunnerWorker = new(900, 1);
    private static readonly string[] Tools = ["/usr/bin/gcc", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "/usr/bin/as", "/usr/bin/ld", "/usr/bin/git", "/bin/sed", "/usr/bin/make"];

    private readonly Random _random = new(seed);
    private readonly List<SyntheticJob> _jobs = [];
    private DateTimeOffset _now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private int _nextPid = 10_000;
    private int _nextRun = 1_000;
    private int _nextPort = 32_768;

    public long Write(long events)
    {
        while (writer.EventsWritten < events)
        {
            while (_jobs.Count < ConcurrentJobs)
            {
                StartJob();
            }

            var job = _jobs[_random.Next(_jobs.Count)];
            if (job.Live.Count > 0 && (job.Remaining == 0 || _random.Next(2) == 0))
            {
                var index = _random.Next(job.Live.Count);
                Emit(new ProcessExited(_now, job.Live[index], 0));
                job.Live.RemoveAt(index);
            }
            else if (job.Remaining > 0)
            {
                Spawn(job);
            }
            else
            {
                Emit(new ProcessExited(_now, job.Shell, 0));
                Emit(new ProcessExited(_now, job.Root, 0));
                _jobs.Remove(job);
            }
        }

        writer.Flush();
        return writer.EventsWritten;
    }

    private void StartJob()
    {
        var markers = new Dictionary<string, string>
        {
            ["GITHUB_ACTIONS"] = "true", ["GITHUB_RUN_ID"] = (++_nextRun).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["GITHUB_JOB"] = "build", ["GITHUB_REPOSITORY"] = "acme/app", ["GITHUB_WORKFLOW"] = "ci",
            ["GITHUB_RUN_ATTEMPT"] = "1", ["RUNNER_NAME"] = "runner-1", ["RUNNER_TRACKING_ID"] = $"github_{_nextRun}",
        };
        var root = NewKey();
        Emit(new ProcessForked(_now, root, RunnerWorker));
        Emit(new ProcessExecuted(_now, root, Details("/bin/bash", markers, "bash", "-e", "/home/runner/work/_temp/step.sh")));
        var shell = NewKey();
        Emit(new ProcessForked(_now, shell, root));
        Emit(new ProcessExecuted(_now, shell, Details("/usr/bin/make", markers, "make", "-j2")));
        _jobs.Add(new SyntheticJob(root, shell, markers, 200 + _random.Next(400), _random.Next(100)));
    }

    private void Spawn(SyntheticJob job)
    {
        var child = NewKey();
        var tool = Tools[_random.Next(Tools.Length)];
        Emit(new ProcessForked(_now, child, job.Shell));
        Emit(new ProcessExecuted(_now, child, Details(tool, job.Markers, Path.GetFileName(tool), "-c", $"src/file{_random.Next(10_000)}.c", "-o", "obj/out.o")));
        job.Live.Add(child);
        job.Remaining--;
        if (job.Remaining == job.EvilAt)
        {
            Connect(child, "evil.test", Evil, 80);
        }
        else if (_random.Next(10) == 0)
        {
            Connect(child, _random.Next(2) == 0 ? "registry.test" : "cdn.test", Registry, 443);
        }
    }

    private void Connect(ProcessKey owner, string name, IPAddress address, int port)
    {
        var attribution = new FlowAttribution(owner, 1, null);
        Emit(new DnsAnswerObserved(_now, new FlowKey(TransportProtocol.Udp, Agent, NextPort(), Resolver, 53), _random.Next(65_536), name,
            [new DnsRecord(name, DnsRecordType.A, 60, address, null)], 1));
        var flow = new FlowKey(TransportProtocol.Tcp, Agent, NextPort(), address, port);
        Emit(new ConnectionAttempted(_now, flow, attribution));
        if (port == 443)
        {
            Emit(new TlsServerNameObserved(_now, flow, name, attribution));
        }
        else
        {
            Emit(new HttpHostObserved(_now, flow, name, attribution));
        }
    }

    private ProcessKey NewKey()
    {
        _nextPid = _nextPid >= PidMax ? 10_000 : _nextPid + 1;
        // Start times in clock ticks (100 Hz) follow the trace clock, so a reused pid is a new process.
        return new ProcessKey(_nextPid, (ulong)(_now.ToUnixTimeMilliseconds() / 10));
    }

    private int NextPort() => _nextPort = _nextPort >= 60_999 ? 32_768 : _nextPort + 1;

    private static ProcessDetails Details(string exe, IReadOnlyDictionary<string, string> markers, params string[] argv) =>
        new(exe, argv, "/home/runner/work/app/app", 1001, 1001, argv[0], markers);

    private void Emit(SensorEvent e)
    {
        writer.Write(e);
        _now = _now.AddTicks(TimeSpan.TicksPerMillisecond / 5);
    }
}
