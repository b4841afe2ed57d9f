using BuildSentry.Core.Network;
using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Attribution;

/// <summary>The cookie of the socket behind a flow of this network namespace (sock_diag), as the kernel programs key
/// their maps by it; safe to call from any thread.</summary>
public sealed class SocketCookies : IDisposable
{
    private readonly SockDiag _sockDiag = new();
    private readonly Lock _gate = new();

    /// <param name="flow">Oriented from the socket's side: source is its own address and port.</param>
    public ulong? CookieOf(FlowKey flow)
    {
        lock (_gate)
        {
            return _sockDiag.Find(flow)?.Cookie;
        }
    }

    public void Dispose() => _sockDiag.Dispose();
}
