using BuildSentry.Core.Network;

namespace BuildSentry.Linux.Attribution;

/// <summary>The one question the network side asks the process side: which process owns this flow.</summary>
public interface IFlowOwnerResolver
{
    /// <param name="flow">Oriented from the local client to the server, as the capture saw it.</param>
    /// <param name="preferredPids">Live processes of active jobs: searched first, and their network
    /// namespaces are where flows of containers are looked for.</param>
    /// <param name="searchHost">Whether every process of the host is searched when no preferred one holds the
    /// socket; false when the kernel already named the flow's job.</param>
    FlowAttribution Resolve(FlowKey flow, IReadOnlyCollection<int> preferredPids, bool searchHost = true);

    /// <summary>Owners the kernel's socket-owner map answered (the eBPF sensor), without a search of /proc.</summary>
    long KernelAnswers => 0;
}
