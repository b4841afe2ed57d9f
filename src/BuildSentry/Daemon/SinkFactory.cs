using BuildSentry.Configuration;
using BuildSentry.Core.Alerts;
using BuildSentry.Linux.Syslog;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Daemon;

internal static class SinkFactory
{
    public static SyslogSink Create(AlertTargetSection section, string hostName, ILoggerFactory loggers, TimeProvider time)
    {
        var transport = section.Transport switch
        {
            "tcp" => SyslogTransport.Tcp,
            "relp" => SyslogTransport.Relp,
            "unix" => SyslogTransport.Unix,
            _ => SyslogTransport.Udp,
        };
        var formatter = Formatter(section.Format, section.SdId, hostName);
        var target = new SyslogTarget(transport, section.Address, section.Port) { QueueCapacity = section.QueueCapacity };
        return new SyslogSink(target, formatter, loggers.CreateLogger<SyslogSink>(), time);
    }

    /// <summary>The syslog record for a target's format: RFC 5424, with a CEF or JSON body when asked.</summary>
    public static IAlertFormatter Formatter(string? format, string sdId, string hostName)
    {
        IAlertFormatter? body = format switch
        {
            "cef" => new CefFormatter(hostName, typeof(SinkFactory).Assembly.GetName().Version?.ToString(3) ?? "0"),
            "json" => new JsonAlertFormatter(hostName),
            _ => null,
        };
        return new Rfc5424Formatter(hostName, Environment.ProcessId, sdId, body: body);
    }
}
