namespace BuildSentry.Linux.Syslog;

public enum SyslogTransport
{
    /// <summary>RFC 5426: one record per datagram; a receiver that is down loses what was sent meanwhile.</summary>
    Udp,

    /// <summary>RFC 6587 octet counting; reconnects with backoff and resends what was not written.</summary>
    Tcp,

    /// <summary>The local syslog daemon's datagram socket (/dev/log).</summary>
    Unix,

    /// <summary>
    /// RELP (rsyslog's imrelp): every record is answered by the receiver once it has taken it, and records not
    /// answered when a connection ends are sent again, so a receiver's restart or crash loses nothing. A record
    /// the receiver took but whose answer was lost with the connection arrives twice (at least once, never lost).
    /// </summary>
    Relp,
}
