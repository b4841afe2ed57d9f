using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using BuildSentry.Linux.Attribution;
using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Tests.Interop;

public sealed class NetworkNamespaceTests
{
    [Fact]
    public void A_socket_made_in_another_processs_namespace_listens_there_and_not_in_ours()
    {
        Requirements.Root();
        // A namespace with its loopback up, kept alive by a process that connects to the port it is told on stdin.
        using var holder = Process.Start(new ProcessStartInfo("unshare",
            ["--net", "sh", "-c", "ip link set lo up && echo up && read port && exec python3 -c \"import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5).close(); print('connected')\" $port"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true,
        })!;
        try
        {
            Assert.Equal("up", holder.StandardOutput.ReadLine());
            var inode = (uint)SocketOwnerProbe.NetworkNamespace(holder.Id)!.Value;
            Assert.NotEqual(SocketOwnerProbe.NetworkNamespace(Environment.ProcessId), inode);

            using var listener = NetworkNamespace.RunIn(holder.Id, inode, () =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                socket.Listen();
                return socket;
            });
            var port = ((IPEndPoint)listener.LocalEndPoint!).Port;

            // Nobody listens on that port in the daemon's namespace ...
            using (var here = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                var refused = Assert.Throws<SocketException>(() => here.Connect(IPAddress.Loopback, port));
                Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
            }

            // ... the namespace's process reaches it.
            holder.StandardInput.WriteLine(port);
            listener.ReceiveTimeout = 5000;
            using var accepted = listener.Accept();
            Assert.Equal("connected", holder.StandardOutput.ReadLine());
        }
        finally
        {
            holder.Kill();
            holder.WaitForExit();
        }
    }

    [Fact]
    public void A_process_that_is_not_in_the_namespace_named_is_refused_and_nothing_runs()
    {
        Requirements.Root();
        var ours = (uint)SocketOwnerProbe.NetworkNamespace(Environment.ProcessId)!.Value;
        var ran = false;

        var error = Assert.Throws<Win32Exception>(() => NetworkNamespace.RunIn(Environment.ProcessId, ours + 1, () => ran = true));

        Assert.Contains("no longer in network namespace", error.Message);
        Assert.False(ran);
    }
}
