using System.Text.Json.Serialization;
using BuildSentry.Core.Network;

namespace BuildSentry.Core.Events;

/// <summary>
/// A fact reported by a sensor. Events are plain data so that a recorded trace replays into the
/// monitor and yields the same decisions; <see cref="Time"/> is the only clock the monitor reads.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ProcessForked), "fork")]
[JsonDerivedType(typeof(ProcessExecuted), "exec")]
[JsonDerivedType(typeof(ProcessExited), "exit")]
[JsonDerivedType(typeof(ProcessCommChanged), "comm")]
[JsonDerivedType(typeof(ProcessPtraced), "ptrace")]
[JsonDerivedType(typeof(ProcessRescanned), "rescan")]
[JsonDerivedType(typeof(SensorLoss), "loss")]
[JsonDerivedType(typeof(JobRegistrationRequested), "job-register")]
[JsonDerivedType(typeof(JobEndRequested), "job-end")]
[JsonDerivedType(typeof(RunnerWorkerDiscovered), "runner-worker")]
[JsonDerivedType(typeof(JobKillCompleted), "job-kill-completed")]
[JsonDerivedType(typeof(RunnerDiagnosticsContacted), "runner-diagnostics")]
[JsonDerivedType(typeof(ContainerActivity), "container")]
[JsonDerivedType(typeof(ConnectionAttempted), "connect")]
[JsonDerivedType(typeof(ConnectionPrevented), "prevented")]
[JsonDerivedType(typeof(UdpFlowStarted), "udp-flow")]
[JsonDerivedType(typeof(DnsQueryObserved), "dns-query")]
[JsonDerivedType(typeof(DnsAnswerObserved), "dns-answer")]
[JsonDerivedType(typeof(TlsServerNameObserved), "tls-sni")]
[JsonDerivedType(typeof(HttpHostObserved), "http-host")]
public abstract record SensorEvent(DateTimeOffset Time);
