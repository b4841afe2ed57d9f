using BuildSentry.Control;
using Microsoft.Extensions.Logging.Abstractions;

namespace BuildSentry.Tests.Control;

public sealed class ControlSocketFileTests
{
    [Fact]
    public async Task The_socket_is_created_in_a_new_0755_directory_as_0660_owned_by_the_control_group()
    {
        Root.Require();
        var parent = TestControlServer.NewDirectory();
        var path = Path.Combine(parent, "run", "buildsentry", "control.sock");
        try
        {
            await using (var server = new ControlServer(
                new ControlServerOptions { SocketPath = path, Group = "nogroup" }, new FakeDaemon(), NullLogger<ControlServer>.Instance))
            {
                server.Start();

                Assert.Equal("755 0 0 directory", Stat(Path.GetDirectoryName(path)!));
                Assert.Equal("660 0 65534 socket", Stat(path));
            }

            Assert.False(Path.Exists(path), "stopping the server leaves no socket file behind");
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public async Task A_stale_socket_file_left_by_a_dead_daemon_is_replaced()
    {
        var directory = TestControlServer.NewDirectory();
        var path = Path.Combine(directory, "control.sock");
        try
        {
            // .NET unlinks the files of sockets it bound when they are disposed; a process that dies does not.
            var (exitCode, _, error) = await ChildProcess.RunAsync("/usr/bin/python3",
                ["-c", "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", path]);
            Assert.True(exitCode == 0 && Path.Exists(path), error);
            await using var server = TestControlServer.Start(o => o with { SocketPath = path });

            Assert.True((await server.SendAsync(new ControlRequest(ControlCommands.Status))).Ok);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_second_server_does_not_steal_the_socket_of_a_live_one_nor_alert_it()
    {
        await using var first = TestControlServer.Start();
        await using var second = new ControlServer(first.Options, new FakeDaemon(), NullLogger<ControlServer>.Instance);

        var error = Assert.Throws<IOException>(second.Start);

        Assert.Contains("another process is listening", error.Message, StringComparison.Ordinal);
        Assert.True((await first.SendAsync(new ControlRequest(ControlCommands.Status))).Ok);
        Assert.Empty(first.Daemon.Refusals);
    }

    [Fact]
    public async Task A_regular_file_at_the_socket_path_is_left_alone()
    {
        var directory = TestControlServer.NewDirectory();
        var path = Path.Combine(directory, "control.sock");
        File.WriteAllText(path, "precious");
        try
        {
            await using var server = new ControlServer(new ControlServerOptions { SocketPath = path }, new FakeDaemon(), NullLogger<ControlServer>.Instance);

            var error = Assert.Throws<IOException>(server.Start);

            Assert.Contains("is not a socket", error.Message, StringComparison.Ordinal);
            Assert.Equal("precious", File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task An_unknown_control_group_stops_the_server_from_starting()
    {
        var directory = TestControlServer.NewDirectory();
        try
        {
            await using var server = new ControlServer(
                new ControlServerOptions { SocketPath = Path.Combine(directory, "control.sock"), Group = "no-such-group-here" },
                new FakeDaemon(), NullLogger<ControlServer>.Instance);

            var error = Assert.Throws<InvalidOperationException>(server.Start);

            Assert.Equal("control group 'no-such-group-here' is not in /etc/group", error.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Mode, owner, group and type as coreutils' stat reports them.</summary>
    private static string Stat(string path)
    {
        var (exitCode, output, error) = ChildProcess.RunAsync("/usr/bin/stat", ["-c", "%a %u %g %F", path]).GetAwaiter().GetResult();
        Assert.True(exitCode == 0, error);
        return output.Trim();
    }
}
