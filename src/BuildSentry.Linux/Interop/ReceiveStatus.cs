namespace BuildSentry.Linux.Interop;

internal enum ReceiveStatus
{
    Received,
    TimedOut,

    /// <summary>The kernel dropped messages because the socket's receive buffer was full (ENOBUFS).</summary>
    Overrun,
}
