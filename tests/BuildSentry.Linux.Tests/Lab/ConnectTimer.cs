using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace BuildSentry.Linux.Tests.Lab;

/// <summary>Measures TCP connect time (one round trip: SYN out, SYN-ACK back) from the agent side.</summary>
internal static class ConnectTimer
{
    /// <summary>The median of several connects, so one scheduling hiccup cannot decide a test.</summary>
    public static async Task<TimeSpan> MedianAsync(IPAddress address, int port, int samples = 7)
    {
        var times = new List<TimeSpan>();
        for (var i = 0; i < samples; i++)
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            var watch = Stopwatch.StartNew();
            await socket.ConnectAsync(new IPEndPoint(address, port));
            times.Add(watch.Elapsed);
        }

        times.Sort();
        return times[samples / 2];
    }
}
