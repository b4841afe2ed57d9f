namespace BuildSentry.Linux.Syslog;

public enum SyslogTransport
{
    /// <summary>RFC 5426: one record per datagram; a receiver that is down loses what was sent meanwhile.</summary>
    Udp,

    /// <summary>RFC 6587 octet counting; reconnects with backoff and resends what was not written.</summary>
    Tcp,

    /// <summary>The local syslog daemon's datagram socket (/dev/log).</summary>
    Unix,
}
