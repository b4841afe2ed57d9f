using System.Net;
using System.Net.Sockets;
using BuildSentry.Configuration;

namespace BuildSentry.Doctor;

/// <summary>Whether each configured alert target answers: a TCP connect for tcp and relp, a connect for a unix socket;
/// UDP is connectionless, so only its route is checked.</summary>
internal static class AlertTargetCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public static IEnumerable<DoctorCheck> Run(DaemonConfiguration configuration)
    {
        if (configuration.Alerts.Targets.Count == 0)
        {
            yield return DoctorCheck.Ok("alert targets", "none configured: alerts go to the journal (or the console) only");
        }

        foreach (var target in configuration.Alerts.Targets)
        {
            yield return Check(target);
        }
    }

    private static DoctorCheck Check(AlertTargetSection target)
    {
        var name = $"alert target {target.Transport}://{target.Address}{(target.Transport == "unix" ? "" : ":" + target.Port)}";
        var fix = "start the receiver, or correct alerts.targets in the configuration; a firewall in between drops alerts silently";
        try
        {
            if (target.Transport == "unix")
            {
                var type = target.Address == "/dev/log" ? SocketType.Dgram : SocketType.Stream;
                using var unix = new Socket(AddressFamily.Unix, type, ProtocolType.Unspecified);
                unix.Connect(new UnixDomainSocketEndPoint(target.Address));
                return DoctorCheck.Ok(name, "the socket accepts a connection");
            }

            var addresses = IPAddress.TryParse(target.Address, out var literal) ? [literal] : Dns.GetHostAddresses(target.Address);
            if (addresses.Length == 0)
            {
                return DoctorCheck.Fail(name, $"{target.Address} resolves to no address", fix);
            }

            if (target.Transport == "udp")
            {
                using var udp = new Socket(addresses[0].AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                udp.Connect(addresses[0], target.Port);
                return DoctorCheck.Ok(name, $"routable ({addresses[0]}); UDP cannot confirm that anything receives");
            }

            using var tcp = new Socket(addresses[0].AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            using var deadline = new CancellationTokenSource(Timeout);
            tcp.ConnectAsync(addresses[0], target.Port, deadline.Token).AsTask().GetAwaiter().GetResult();
            return DoctorCheck.Ok(name, $"accepts a TCP connection ({addresses[0]})");
        }
        catch (SocketException e)
        {
            return DoctorCheck.Fail(name, $"unreachable: {e.SocketErrorCode} ({e.Message})", fix);
        }
        catch (OperationCanceledException)
        {
            return DoctorCheck.Fail(name, $"no answer within {Timeout.TotalSeconds:0} s", fix);
        }
    }
}
