using System.Net;
using System.Net.Sockets;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using BuildSentry.Linux.Processes;

namespace BuildSentry.Linux.Kernel;

public sealed partial class KernelProcessSensor
{
    private long _connections;
    private long _udpFlows;
    private long _prevented;

    /// <summary>Connects and sends that prevent mode refused in the kernel.</summary>
    public long Prevented => Interlocked.Read(ref _prevented);

    /// <summary>Job members' connections the kernel reported: TCP connects, and UDP flows (a UDP socket's connect or
    /// its first datagram to a destination).</summary>
    public KernelConnectionCounters ConnectionCounters => new(Interlocked.Read(ref _connections), Interlocked.Read(ref _udpFlows));

    private void OnConnection(ReadOnlySpan<byte> data)
    {
        if (!KernelConnectionParser.TryParse(data, out var record))
        {
            CountMalformed();
            return;
        }

        if (record.Kind == KernelRecordKind.Prevented)
        {
            Interlocked.Increment(ref _prevented);
        }
        else
        {
            Interlocked.Increment(ref record.Protocol == TransportProtocol.Tcp ? ref _connections : ref _udpFlows);
        }

        Write(Translate(record));
    }

    /// <summary>
    /// The flow from the caller's side. The source address and port are not chosen yet at connect (nor, for an unbound
    /// UDP socket, at its first sendmsg): they read as unknown. The owner needs no exe to wait for: its exec came
    /// through the same ring, before this record.
    /// </summary>
    private NetworkFinding Translate(in KernelConnectionRecord record)
    {
        var time = KernelTime.ToWallClock(_time, record.TimeNs);
        var source = record.Destination.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        var flow = new FlowKey(record.Protocol, source, 0, record.Destination, record.DestinationPort);
        var attribution = new FlowAttribution(record.Process, record.NetworkNamespace, null, _options.JobIdOfSlot?.Invoke(record.JobSlot))
        {
            AtSyscall = true,
        };
        return record.Kind == KernelRecordKind.Prevented ? new ConnectionPrevented(time, flow, attribution) { UdpConnectOnly = record.UdpConnectOnly }
            : record.Protocol == TransportProtocol.Tcp ? new ConnectionAttempted(time, flow, attribution)
            : new UdpFlowStarted(time, flow, attribution);
    }
}
