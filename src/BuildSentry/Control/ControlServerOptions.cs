namespace BuildSentry.Control;

/// <summary>Where the control socket lives, who may use it, and how much a client may ask of the server.</summary>
public sealed record ControlServerOptions
{
    public const string DefaultSocketPath = "/run/buildsentry/control.sock";

    public string SocketPath { get; init; } = DefaultSocketPath;

    /// <summary>Members of this group (a name or a numeric gid) may use the socket besides root; null means root only.</summary>
    public string? Group { get; init; }

    /// <summary>The socket file's mode. The kernel's peer check stands behind it, so a looser mode does not let
    /// anyone else in; it only moves the refusal from connect(2) to the server's answer.</summary>
    public UnixFileMode SocketMode { get; init; } = UnixFileMode.UserRead | UnixFileMode.UserWrite
        | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    /// <summary>The longest request line, newline excluded.</summary>
    public int MaxRequestBytes { get; init; } = 64 * 1024;

    public int MaxConcurrentConnections { get; init; } = 16;

    /// <summary>How long a client has to send its request line once connected.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the daemon may take to answer one request before the client is told it failed.</summary>
    public TimeSpan HandlerTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>File to resolve <see cref="Group"/> names from.</summary>
    public string GroupFile { get; init; } = "/etc/group";
}
