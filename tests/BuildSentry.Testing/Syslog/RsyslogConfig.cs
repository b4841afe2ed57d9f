namespace BuildSentry.Testing.Syslog;

/// <summary>The private rsyslogd configuration of <see cref="RsyslogServer"/>.</summary>
internal static class RsyslogConfig
{
    /// <summary>
    /// Reliability choices, each closing a way rsyslog itself could lose records on a stop:
    /// a Direct main queue and action queue, so a record is written to the file by the input thread
    /// before imtcp reads the next one and nothing sits in memory queues at SIGTERM; control characters
    /// are not rewritten on receive, so a record that leaked a raw newline would show as two lines;
    /// a 64 KiB message size so no record is cut by the receiver rather than by our own caps.
    /// </summary>
    public static string Render(string workDirectory, int tcpPort, int udpPort, int relpPort, string outputPath) => $$"""
        global(workDirectory="{{workDirectory}}" maxMessageSize="64k"
               parser.escapeControlCharactersOnReceive="off")
        main_queue(queue.type="Direct")
        module(load="imtcp")
        module(load="imudp")
        module(load="imrelp")
        template(name="raw" type="string" string="%rawmsg%\n")
        ruleset(name="remote" queue.type="Direct") {
            action(type="omfile" file="{{outputPath}}" template="raw" flushOnTXEnd="on" asyncWriting="off")
        }
        input(type="imtcp" address="127.0.0.1" port="{{tcpPort}}" ruleset="remote")
        input(type="imudp" address="127.0.0.1" port="{{udpPort}}" ruleset="remote")
        input(type="imrelp" address="127.0.0.1" port="{{relpPort}}" ruleset="remote")
        """;
}
