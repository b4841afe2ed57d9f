namespace BuildSentry.Control;

/// <summary>
/// What the control socket asks of the running daemon. The socket server authenticates the peer
/// (root or the configured group) before calling; the daemon decides the rest, e.g. that a process
/// inside a monitored job may not end its own job.
/// </summary>
public interface IDaemonControl
{
    Task<ControlResponse> HandleAsync(ControlRequest request, PeerCredentials peer, CancellationToken cancellationToken);

    /// <summary>Called when the socket server refuses a peer (wrong uid/group, malformed request), so it can be alerted.</summary>
    void PeerRefused(PeerCredentials peer, string reason);
}
