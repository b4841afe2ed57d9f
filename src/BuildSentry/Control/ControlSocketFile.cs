using System.Net.Sockets;

namespace BuildSentry.Control;

/// <summary>Creates the listening socket file: its directory, no stale leftover, its mode and group set before anyone can connect.</summary>
internal static class ControlSocketFile
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public static Socket Listen(string path, UnixFileMode mode, uint? groupId, int backlog)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("the control socket needs Linux (SO_PEERCRED)");
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, DirectoryMode);
        }

        RemoveStale(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));

            // listen(2) comes last: until then a connect is refused, so nobody reaches the socket while its mode is still the umask's.
            File.SetUnixFileMode(path, mode);
            if (groupId is { } gid)
            {
                UnixPath.SetGroup(path, gid);
            }

            socket.Listen(backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static void Remove(string path)
    {
        if (UnixPath.IsSocket(path) == true)
        {
            File.Delete(path);
        }
    }

    private static void RemoveStale(string path)
    {
        switch (UnixPath.IsSocket(path))
        {
            case null:
                return;
            case false:
                throw new IOException($"{path} exists and is not a socket; refusing to replace it");
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            File.Delete(path);
            return;
        }

        throw new IOException($"another process is listening on {path}; is a second daemon running?");
    }
}
