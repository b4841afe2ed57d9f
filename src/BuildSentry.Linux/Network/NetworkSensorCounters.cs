namespace BuildSentry.Linux.Network;

/// <summary>Totals since the sensor started; read from any thread.</summary>
public sealed class NetworkSensorCounters
{
    internal long FramesValue;
    internal long MalformedValue;
    internal long ConnectionsValue;
    internal long UnattributedValue;
    internal long DnsQueriesValue;
    internal long DnsAnswersValue;
    internal long ServerNamesValue;
    internal long UdpFlowsValue;
    internal long AttributionTicksValue;

    /// <summary>Frames that reached managed code: the kernel filter decides how few that is.</summary>
    public long Frames => Interlocked.Read(ref FramesValue);

    public long Malformed => Interlocked.Read(ref MalformedValue);

    public long Connections => Interlocked.Read(ref ConnectionsValue);

    public long Unattributed => Interlocked.Read(ref UnattributedValue);

    public long DnsQueries => Interlocked.Read(ref DnsQueriesValue);

    public long DnsAnswers => Interlocked.Read(ref DnsAnswersValue);

    public long ServerNames => Interlocked.Read(ref ServerNamesValue);

    public long UdpFlows => Interlocked.Read(ref UdpFlowsValue);

    /// <summary>Total time spent finding flow owners, in Stopwatch ticks.</summary>
    public long AttributionTicks => Interlocked.Read(ref AttributionTicksValue);
}
