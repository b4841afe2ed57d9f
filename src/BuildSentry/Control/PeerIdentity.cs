using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace BuildSentry.Control;

/// <summary>What the kernel recorded about a unix socket peer when it connected (SO_PEERCRED, SO_PEERGROUPS).</summary>
internal static class PeerIdentity
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;
    private const int SoPeerGroups = 59;
    private const int MaxPeerGroups = 1024;

    public static PeerCredentials ReadCredentials(Socket socket)
    {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        Span<byte> ucred = stackalloc byte[12];
        var length = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
        if (length != ucred.Length)
        {
            throw new SocketException((int)SocketError.ProtocolNotSupported);
        }

        return new PeerCredentials(
            MemoryMarshal.Read<int>(ucred),
            unchecked((int)MemoryMarshal.Read<uint>(ucred[4..])),
            unchecked((int)MemoryMarshal.Read<uint>(ucred[8..])));
    }

    /// <summary>
    /// The peer's supplementary groups as they were at connect time. SO_PEERGROUPS (Linux 4.13) cannot be
    /// fooled by the peer exiting and its pid being reused; /proc/PID/status is the fallback for older
    /// kernels and for peers in more than <see cref="MaxPeerGroups"/> groups.
    /// </summary>
    public static IReadOnlyList<uint> ReadSupplementaryGroups(Socket socket, int pid)
    {
        var buffer = new byte[MaxPeerGroups * sizeof(uint)];
        try
        {
            var length = socket.GetRawSocketOption(SolSocket, SoPeerGroups, buffer);
            return MemoryMarshal.Cast<byte, uint>(buffer.AsSpan(0, length - (length % sizeof(uint)))).ToArray();
        }
        catch (SocketException)
        {
            return UnixGroups.ReadProcessGroups(pid);
        }
    }
}
