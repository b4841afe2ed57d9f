using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Reflection;
using System.Runtime.CompilerServices;
using BuildSentry.Core.Alerts;
using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;
using BuildSentry.Core.Monitoring;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using BuildSentry.Linux.Cgroups;
using BuildSentry.Linux.Enforcement;
using BuildSentry.Replay;

namespace BuildSentry.Daemon;

/// <summary>
/// Compiles the path from a violating finding to the kill signal before the first job, so that the first violation
/// after a start does not pay for its JIT (milliseconds: docs/performance.md). A synthetic job runs through a private monitor in kill
/// mode, whose kill only records and whose alerts are formatted in every wire format and dropped; the real
/// enforcer's methods, which need a real job, are compiled without being run. Nothing reaches the host.
/// The shipped daemon is compiled ahead of time: there the run only does the path's first-use work (static
/// initialisers, the formatters' lookups), and no method is prepared.
/// </summary>
internal static class KillPathWarmup
{
    // Its own profile, so that the synthetic job is killed whatever profiles the host has.
    private const string Profile = """
        name: buildsentry-warmup
        mode: kill
        match: { ci: github }
        egress:
          - { host: allowed.invalid, ports: [443] }
        """;

    /// <summary>Returns how many kills were asked for and how many alert texts were formatted.</summary>
    public static (long Kills, int Formatted) Run(string hostName)
    {
        var loaded = ProfileLoader.Load("warmup.yaml", Profile);
        var enforcer = new DryRunEnforcer();
        var sink = new FormattingSink(hostName);
        var monitor = new JobMonitor(loaded.Profiles, new MonitorOptions { DefaultMode = ProfileMode.Kill, HostName = hostName },
            enforcer, sink, new NoPlacement(), new CountingReportSink());
        var now = DateTimeOffset.UtcNow;
        // Pids above pid_max: no live process can be taken for these.
        var root = new ProcessKey(int.MaxValue - 1, 1);
        var curl = new ProcessKey(int.MaxValue - 2, 1);
        var owner = new FlowAttribution(curl, 0, null) { OwnerExe = "/usr/bin/curl" };
        var source = IPAddress.Parse("192.0.2.10");
        var target = IPAddress.Parse("192.0.2.66");
        monitor.Apply(new JobRegistrationRequested(now, root, new JobMetadata("github", "buildsentry-warmup")));
        monitor.Apply(new ProcessForked(now, curl, root));
        monitor.Apply(new ProcessExecuted(now, curl, new ProcessDetails("/usr/bin/curl", ["curl", "http://warmup.invalid/"], "/",
            0, 0, "curl", new Dictionary<string, string>())));
        monitor.Apply(new DnsQueryObserved(now, new FlowKey(TransportProtocol.Udp, source, 40000, target, 53), 1, "warmup.invalid", 1, owner));
        var flow = new FlowKey(TransportProtocol.Tcp, source, 40001, target, 80);
        monitor.Apply(new ConnectionAttempted(now, flow, owner));
        monitor.Apply(new HttpHostObserved(now, flow, "warmup.invalid", owner));
        monitor.Apply(new ProcessExited(now, curl, 0));
        monitor.Apply(new ProcessExited(now, root, 0));
        monitor.CompleteEndedJobs(DateTimeOffset.MaxValue);

        // Native AOT has nothing to compile (and would keep the reflection metadata only for this).
        if (RuntimeFeature.IsDynamicCodeCompiled)
        {
            Prepare(typeof(JobEnforcer));
            Prepare(typeof(JobCgroups));
        }

        return (enforcer.Kills, sink.Formatted);
    }

    private static void Prepare([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods
                                                            | DynamicallyAccessedMemberTypes.NonPublicMethods)] Type type)
    {
        foreach (var method in type.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public
                                               | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
        {
            if (!method.IsAbstract && !method.ContainsGenericParameters)
            {
                RuntimeHelpers.PrepareMethod(method.MethodHandle);
            }
        }
    }

    /// <summary>Formats each alert as every sink would, and drops it.</summary>
    private sealed class FormattingSink(string hostName) : IAlertSink
    {
        private readonly IAlertFormatter[] _formatters =
        [
            new JsonAlertFormatter(hostName),
            SinkFactory.Formatter("cef", Rfc5424Formatter.DefaultSdId, hostName),
            SinkFactory.Formatter("json", Rfc5424Formatter.DefaultSdId, hostName),
            SinkFactory.Formatter(null, Rfc5424Formatter.DefaultSdId, hostName),
        ];

        public int Formatted { get; private set; }

        public void Publish(Alert alert)
        {
            foreach (var formatter in _formatters)
            {
                Formatted += formatter.Format(alert).Length > 0 ? 1 : 0;
            }

            // The journal line's two parts (LogAlertSink).
            Formatted += AlertText.Summary(alert).Length > 0 && AlertFields.Of(alert).Any() ? 1 : 0;
        }
    }
}
