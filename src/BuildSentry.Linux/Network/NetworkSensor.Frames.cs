using System.Net;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using BuildSentry.Linux.Capture;
using BuildSentry.Linux.Decoding;
using CoreDns = BuildSentry.Core.Network;

namespace BuildSentry.Linux.Network;

public sealed partial class NetworkSensor
{
    private static readonly TimeSpan KernelDrainInterval = TimeSpan.FromMilliseconds(1);

    private DateTimeOffset _lastKernelDrain;

    /// <summary>No frame for a read timeout: the kernel's records of job flows that came after the last frame are read
    /// now, so none waits in its socket for the next frame (and status counts it).</summary>
    private void OnIdle()
    {
        if (_kernelTags is not null)
        {
            _lastKernelDrain = _time.GetUtcNow();
            _kernelTags.Drain();
        }
    }

    /// <summary>Called by libpcap's loop for each frame the kernel filter passed; never throws.</summary>
    internal void OnFrame(in CapturedFrame frame)
    {
        Interlocked.Increment(ref Counters.FramesValue);
        // Every packet the kernel logged must be read, also one no new flow asks about (a query on a known socket, a
        // retransmit, junk to a DNS port): unread, a flood fills the socket and the kernel drops another job's records.
        if (_kernelTags is not null && frame.Time - _lastKernelDrain >= KernelDrainInterval)
        {
            _lastKernelDrain = frame.Time;
            _kernelTags.Drain();
        }
        if (frame.Data.Length > _frame.Length)
        {
            _frame = new byte[frame.Data.Length];
        }

        frame.Data.CopyTo(_frame);
        var packet = _decoder.Decode(_frame.AsMemory(0, frame.Data.Length), frame.LinkType);
        if (packet.Status != DecodeStatus.Decoded || packet.Source is null || packet.Destination is null)
        {
            if (packet.Status == DecodeStatus.Malformed)
            {
                Interlocked.Increment(ref Counters.MalformedValue);
            }

            return;
        }

        var protocol = packet.IsTcp ? TransportProtocol.Tcp : TransportProtocol.Udp;
        var flow = new FlowKey(protocol, packet.Source, packet.SourcePort, packet.Destination, packet.DestinationPort);
        var payload = packet.Payload.Span;
        if (packet.IsTcpSyn)
        {
            OnSyn(frame.Time, flow);
        }
        else if (_dnsPorts.Contains(packet.DestinationPort) || _dnsPorts.Contains(packet.SourcePort))
        {
            OnDns(frame.Time, flow, packet.IsTcp, _dnsPorts.Contains(packet.SourcePort), payload);
        }
        else if (packet.IsTcp && !payload.IsEmpty)
        {
            OnTcpPayload(frame.Time, flow, payload);
        }
        else if (packet.IsUdp && !IPAddress.IsLoopback(packet.Destination))
        {
            OnUdp(frame.Time, flow);
        }
    }

    private void OnSyn(DateTimeOffset time, FlowKey flow)
    {
        if (_tcp.TryGet(flow, out var known) && known.Attribution is not null)
        {
            return; // a retransmitted SYN: the attempt is already reported
        }

        var attribution = Attribute(flow);
        _tcp.Remove(flow);
        _tcp.TryAdd(flow, new FlowState(attribution));
        Interlocked.Increment(ref Counters.ConnectionsValue);
        Emit(new ConnectionAttempted(time, flow, attribution));
    }

    private void OnTcpPayload(DateTimeOffset time, FlowKey flow, ReadOnlySpan<byte> payload)
    {
        if (!_tcp.TryGet(flow, out var state))
        {
            // The SYN was before the sensor started or fell out of the table: attribute now.
            state = new FlowState(null);
            _tcp.TryAdd(flow, state);
        }

        if (state.Done)
        {
            return;
        }

        state.Sniffer ??= payload[0] == 0x16 ? StreamHostSniffer.ForTls() : StreamHostSniffer.ForHttp();
        var result = state.Sniffer.Feed(payload);
        if (result.Status == SniffStatus.NeedMore)
        {
            return;
        }

        state.Done = true;
        state.Sniffer = null;
        if (result is { Status: SniffStatus.Found, Host: { } host })
        {
            // The SYN may have been seen before its socket was visible, or not at all: ask again.
            var attribution = state.Attribution is { Owner: not null } known ? known : state.Attribution = Attribute(flow);
            Interlocked.Increment(ref Counters.ServerNamesValue);
            Emit(payload[0] == 0x16
                ? new TlsServerNameObserved(time, flow, host, attribution)
                : new HttpHostObserved(time, flow, host, attribution));
        }
    }

    private void OnUdp(DateTimeOffset time, FlowKey flow)
    {
        if (!_udp.TryAdd(flow, new FlowState(null)))
        {
            return;
        }

        var attribution = Attribute(flow);
        _udp.TryGet(flow, out var state);
        state.Attribution = attribution;
        Interlocked.Increment(ref Counters.UdpFlowsValue);
        Emit(new UdpFlowStarted(time, flow, attribution));
    }
}
