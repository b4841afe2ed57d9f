namespace BuildSentry.Linux.Kernel;

/// <summary>What the connection programs reported, since the sensor started.</summary>
/// <param name="Connections">TCP connects by job members.</param>
/// <param name="UdpFlows">UDP flows started by job members: a connect of a UDP socket, or its first datagram to a destination.</param>
public readonly record struct KernelConnectionCounters(long Connections, long UdpFlows);
