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
            "unix" => SyslogTransport.Unix,
            _ => SyslogTransport.Udp,
        };
        IAlertFormatter? body = section.Format switch
        {
            "cef" => new CefFormatter(hostName, typeof(SinkFactory).Assembly.GetName().Version?.ToString(3) ?? "0"),
            "json" => new JsonAlertFormatter(hostName),
            _ => null,
        };
        var formatter = new Rfc5424Formatter(hostName, Environment.ProcessId, section.SdId, body: body);
        var target = new SyslogTarget(transport, section.Address, section.Port) { QueueCapacity = section.QueueCapacity };
        return new SyslogSink(target, formatter, loggers.CreateLogger<SyslogSink>(), time);
    }
}
