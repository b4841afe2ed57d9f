using BuildSentry.Control;

namespace BuildSentry.Tests.Control;

/// <summary>Real peers under other uids and groups (setpriv), talking through socat or the buildsentry binary.</summary>
public sealed class PeerAccessTests
{
    private const int Nobody = 65534;
    private const UnixFileMode Open = (UnixFileMode)0b110_110_110;

    [Fact]
    public async Task A_peer_that_is_not_root_is_refused_by_the_server_and_reported_when_no_group_is_configured()
    {
        Root.Require();
        await using var server = TestControlServer.Start(o => o with { SocketMode = Open });

        var (_, output, error) = await SocatAs(server.SocketPath, ["--reuid=65534", "--regid=65534", "--clear-groups"]);

        Assert.True(output.Contains("\"ok\":false", StringComparison.Ordinal), output + error);
        Assert.Contains("uid 65534 is not root and no control group is configured", output, StringComparison.Ordinal);
        Assert.Empty(server.Daemon.Requests);
        var (peer, reason) = Assert.Single(server.Daemon.Refusals);
        Assert.Equal((Nobody, Nobody), (peer.Uid, peer.Gid));
        Assert.NotEqual(Environment.ProcessId, peer.Pid);
        Assert.Equal("uid 65534 is not root and no control group is configured", reason);
    }

    [Fact]
    public async Task A_peer_outside_the_control_group_is_refused_even_when_the_socket_mode_lets_it_connect()
    {
        using var group = await TempGroup.CreateAsync();
        await using var server = TestControlServer.Start(o => o with { SocketMode = Open, Group = group.Name });

        var (_, output, error) = await SocatAs(server.SocketPath, ["--reuid=65534", "--regid=65534", "--groups=100"]);

        Assert.True(output.Contains("\"ok\":false", StringComparison.Ordinal), output + error);
        var (_, reason) = Assert.Single(server.Daemon.Refusals);
        Assert.Equal($"uid 65534 (gid 65534) is neither root nor a member of group '{group.Name}' ({group.Gid})", reason);
        Assert.Empty(server.Daemon.Requests);
    }

    [Fact]
    public async Task A_peer_with_the_control_group_as_a_supplementary_group_is_accepted()
    {
        using var group = await TempGroup.CreateAsync();
        await using var server = TestControlServer.Start(o => o with { Group = group.Name });

        var (_, output, error) = await SocatAs(server.SocketPath, ["--reuid=65534", "--regid=65534", $"--groups={group.Gid}"]);

        Assert.True(output.Contains("\"ok\":true", StringComparison.Ordinal), output + error);
        var (_, peer) = Assert.Single(server.Daemon.Requests);
        Assert.Equal((Nobody, Nobody), (peer.Uid, peer.Gid));
        Assert.Empty(server.Daemon.Refusals);
    }

    [Fact]
    public async Task A_peer_with_the_control_group_as_its_primary_group_is_accepted()
    {
        using var group = await TempGroup.CreateAsync();
        await using var server = TestControlServer.Start(o => o with { Group = group.Name });

        var (_, output, error) = await SocatAs(server.SocketPath, ["--reuid=65534", $"--regid={group.Gid}", "--clear-groups"]);

        Assert.True(output.Contains("\"ok\":true", StringComparison.Ordinal), output + error);
        var (_, peer) = Assert.Single(server.Daemon.Requests);
        Assert.Equal((Nobody, (int)group.Gid), (peer.Uid, peer.Gid));
    }

    [Fact]
    public async Task With_the_default_socket_mode_an_outsider_cannot_even_connect_and_the_cli_says_so()
    {
        Root.Require();
        await using var server = TestControlServer.Start();
        var (dotnet, prefix) = ChildProcess.BuildSentry();

        var (exitCode, output, error) = await ChildProcess.RunAsync("/usr/bin/setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", dotnet, .. prefix, "status", "--socket", server.SocketPath],
            new Dictionary<string, string> { ["HOME"] = "/tmp", ["DOTNET_NOLOGO"] = "1" });

        Assert.True(exitCode == 3, $"exit {exitCode}: {output}{error}");
        Assert.Contains($"error: permission denied on {server.SocketPath}: run as root or as a member of the daemon's control group", error, StringComparison.Ordinal);
        Assert.Empty(server.Daemon.Requests);
    }

    private static Task<(int ExitCode, string Output, string Error)> SocatAs(string socketPath, string[] credentials) =>
        ChildProcess.RunAsync("/usr/bin/setpriv",
            [.. credentials, "/usr/bin/socat", "-t", "5", "-", $"UNIX-CONNECT:{socketPath}"],
            input: "{\"command\":\"status\"}\n");
}
