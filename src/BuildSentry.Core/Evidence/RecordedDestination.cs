using System.Diagnostics.CodeAnalysis;
using System.Net;
using BuildSentry.Core.Profiles;
using BuildSentry.Core.Reports;

namespace BuildSentry.Core.Evidence;

/// <summary>A report's destination as the monitor judged it: loopback never leaves the machine and a resolver (port 53)
/// is judged by the names asked of it, so neither is a destination a profile has to allow.</summary>
internal static class RecordedDestination
{
    public static bool TryRead(ReportDestination destination, [NotNullWhen(true)] out IPAddress? address, out TransportProtocol protocol)
    {
        protocol = destination.Protocol == "udp" ? TransportProtocol.Udp : TransportProtocol.Tcp;
        return IPAddress.TryParse(destination.Address, out address) && !IPAddress.IsLoopback(address) && destination.Port != 53;
    }
}
