using BuildSentry.Core.Network;
using BuildSentry.Linux.Decoding;

namespace BuildSentry.Linux.Network;

/// <summary>What the sensor remembers of one flow until it has read its first bytes.</summary>
internal sealed class FlowState(FlowAttribution? attribution)
{
    public FlowAttribution? Attribution { get; set; } = attribution;

    public StreamHostSniffer? Sniffer { get; set; }

    public DnsTcpReassembler? Dns { get; set; }

    /// <summary>The name is known (or known not to come): later segments are ignored.</summary>
    public bool Done { get; set; }
}
