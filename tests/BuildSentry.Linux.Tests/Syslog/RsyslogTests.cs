using System.Text;
using BuildSentry.Core.Alerts;
using BuildSentry.Linux.Processes;
using BuildSentry.Linux.Syslog;
using BuildSentry.Testing;
using BuildSentry.Testing.Syslog;
using Microsoft.Extensions.Logging.Abstractions;

namespace BuildSentry.Linux.Tests.Syslog;

/// <summary>Our sink against a real rsyslogd: what lands in its file is what a SOC would see.</summary>
public sealed class RsyslogTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static TheoryData<SyslogTransport> Transports => new() { SyslogTransport.Tcp, SyslogTransport.Udp, SyslogTransport.Relp };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task An_alert_arrives_in_rsyslog_as_strict_RFC_5424_with_every_field(SyslogTransport transport)
    {
        await using var rsyslog = await RsyslogServer.StartAsync();
        var alert = RichAlerts.Violation("v-1");
        await using (var sink = Sink(rsyslog, transport, new Rfc5424Formatter("agent-1", 77)))
        {
            sink.Publish(alert);
            var line = Assert.Single(await rsyslog.WaitForLinesAsync(1, Patience));

            var record = StrictSyslogParser.Parse(line);
            Assert.Equal(4 * 8 + 2, record.Pri);
            Assert.Equal("2026-11-29T05:30:01.250000Z", record.Timestamp);
            Assert.Equal(("agent-1", "buildsentry", "77", AlertKinds.EgressConnection), (record.Host, record.App, record.ProcId, record.MsgId));
            var data = record.Data[Rfc5424Formatter.DefaultSdId];
            var expected = AlertFields.Of(alert).ToDictionary(f => f.Name, f => f.Value);
            Assert.Equal(expected.OrderBy(f => f.Key), data.OrderBy(f => f.Key));
            foreach (var name in new[] { "id", "kind", "severity", "action", "ci", "job", "repository", "workflow", "jobName", "runId",
                         "runAttempt", "runner", "pid", "exe", "argv", "cwd", "uid", "parents", "dst", "dport", "proto", "names",
                         "serverName", "profile", "reason" })
            {
                Assert.False(string.IsNullOrEmpty(data[name]), name);
            }

            Assert.Equal("4200:/usr/bin/bash < 4100:/opt/runner/bin/Runner.Worker", data["parents"]);
            Assert.Contains("exfil.example", record.Msg);
        }
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_CEF_alert_arrives_in_rsyslog_with_its_fields(SyslogTransport transport)
    {
        await using var rsyslog = await RsyslogServer.StartAsync();
        await using var sink = Sink(rsyslog, transport, new Rfc5424Formatter("agent-1", 77, body: new CefFormatter("agent-1", "1.0.0")));
        sink.Publish(RichAlerts.Violation("v-2", ["sh", "-c", "a=b|c \\ d"]));

        var record = StrictSyslogParser.Parse(Assert.Single(await rsyslog.WaitForLinesAsync(1, Patience)));
        var cef = CefParser.Parse(record.Msg);

        Assert.Equal(("BuildSentry", "BuildSentry", "1.0.0", AlertKinds.EgressConnection, 10),
            (cef.Vendor, cef.Product, cef.Version, cef.SignatureId, cef.Severity));
        var x = cef.Extensions;
        Assert.Equal("v-2", x["externalId"]);
        Assert.Equal("killed", x["act"]);
        Assert.Equal("job-4711", x["cs1"]);
        Assert.Equal("acme/payments", x["cs2"]);
        Assert.Equal("payments-build", x["cs3"]);
        Assert.Equal(@"sh -c a=b|c \\ d", x["cs5"]);
        Assert.Equal(("4242", "/usr/bin/curl", "1001"), (x["spid"], x["sproc"], x["suid"]));
        Assert.Equal(("203.0.113.9", "443", "tcp", "exfil.example"), (x["dst"], x["dpt"], x["proto"], x["dhost"]));
        Assert.Equal(("github-actions", "release.yml", "build (linux)", "991", "2", "runner-07"),
            (x["bsCi"], x["bsWorkflow"], x["bsJobName"], x["bsRunId"], x["bsRunAttempt"], x["bsRunner"]));
        Assert.Equal("/home/runner/work/payments", x["bsCwd"]);
    }

    /// <summary>Each attempt, as raw cmdline bytes the process sensor would read from /proc.</summary>
    public static TheoryData<string, byte[]> Injections => new()
    {
        { "newline", "echo\0x\nbuildsentry fake record"u8.ToArray() },
        { "bracket", "x\0]  [forged@1 a=\"b\"]"u8.ToArray() },
        { "quote", "x\0\"\" \\\" q"u8.ToArray() },
        { "pipe", "x\0a|b|c|10|"u8.ToArray() },
        { "equals", "x\0act=allowed cs3=none"u8.ToArray() },
        { "ansi", "x\0\u001b[2J\u001b[31mred\u001b[0m"u8.ToArray() },
        { "invalid-utf8", [(byte)'x', 0, 0xff, 0xfe, (byte)'a', 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xe2, 0x80, 0xa8] },
        { "cr-nul-tab", "x\0a\rb\tc\u0085d"u8.ToArray() },
    };

    [Theory]
    [MemberData(nameof(Injections))]
    public async Task An_injection_attempt_in_argv_produces_exactly_one_well_formed_record(string attempt, byte[] cmdline)
    {
        var argv = CmdlineParser.Parse(cmdline);
        var alerts = new[]
        {
            RichAlerts.Violation($"{attempt}-sd", argv, exe: argv[^1]),
            RichAlerts.Violation($"{attempt}-cef", argv, exe: argv[^1]),
        };
        await using var rsyslog = await RsyslogServer.StartAsync();
        foreach (var transport in new[] { SyslogTransport.Tcp, SyslogTransport.Udp })
        {
            await using var sd = Sink(rsyslog, transport, new Rfc5424Formatter("agent-1", 1));
            await using var cef = Sink(rsyslog, transport, new Rfc5424Formatter("agent-1", 1, body: new CefFormatter("agent-1", "1")));
            sd.Publish(alerts[0]);
            Assert.True(await sd.FlushAsync(Patience));
            cef.Publish(alerts[1]);
            Assert.True(await cef.FlushAsync(Patience));
        }

        await Task.Delay(300);
        var lines = await rsyslog.WaitForLinesAsync(4, Patience);
        Assert.Equal(4, lines.Count);
        foreach (var line in lines)
        {
            Assert.DoesNotContain(line, c => c < 0x20 || c == 0x7f || c is >= '\u0080' and < '\u00a0' || c is '\u2028' or '\u2029');
            StrictSyslogParser.Parse(line);
        }

        var sdRecords = lines.Select(StrictSyslogParser.Parse).Where(r => r.Data.Count > 0).ToList();
        Assert.Equal(2, sdRecords.Count);
        Assert.All(sdRecords, r => Assert.Equal(AlertText.Argv(argv), r.Data[Rfc5424Formatter.DefaultSdId]["argv"]));
        Assert.All(sdRecords, r => Assert.Equal(new[] { Rfc5424Formatter.DefaultSdId }, r.Data.Keys.ToArray()));

        var cefRecords = lines.Select(StrictSyslogParser.Parse).Where(r => r.Data.Count == 0).Select(r => CefParser.Parse(r.Msg)).ToList();
        Assert.Equal(2, cefRecords.Count);
        Assert.All(cefRecords, c => Assert.Equal(AlertText.Argv(argv), c.Extensions["cs5"]));
        Assert.All(cefRecords, c => Assert.Equal("killed", c.Extensions["act"]));
    }

    [Fact]
    public async Task Invalid_UTF_8_bytes_in_argv_reach_the_record_as_escapes()
    {
        var argv = CmdlineParser.Parse([(byte)'x', 0, (byte)'a', 0xff, 0xc3, 0x28]);
        await using var rsyslog = await RsyslogServer.StartAsync();
        await using var sink = Sink(rsyslog, SyslogTransport.Tcp, new Rfc5424Formatter("agent-1", 1));
        sink.Publish(RichAlerts.Violation("utf8", argv));

        var record = StrictSyslogParser.Parse(Assert.Single(await rsyslog.WaitForLinesAsync(1, Patience)));

        Assert.DoesNotContain('\uFFFD', record.Data[Rfc5424Formatter.DefaultSdId]["argv"]);
        Assert.Contains(@"xff", record.Data[Rfc5424Formatter.DefaultSdId]["argv"]);
        Assert.Contains(@"xc3(", record.Data[Rfc5424Formatter.DefaultSdId]["argv"]);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_one_megabyte_argv_produces_one_capped_record(SyslogTransport transport)
    {
        var huge = new string('A', 1024 * 1024);
        await using var rsyslog = await RsyslogServer.StartAsync();
        await using var sink = Sink(rsyslog, transport, new Rfc5424Formatter("agent-1", 1));
        sink.Publish(RichAlerts.Violation("huge", ["python3", huge], exe: huge));

        var line = Assert.Single(await rsyslog.WaitForLinesAsync(1, Patience));
        await Task.Delay(300);
        Assert.Single(rsyslog.Lines());
        var data = StrictSyslogParser.Parse(line).Data[Rfc5424Formatter.DefaultSdId];
        Assert.Equal(AlertText.MaxArgv, data["argv"].Length);
        Assert.EndsWith("[truncated]", data["argv"]);
        Assert.Equal(AlertText.MaxField, data["exe"].Length);
        Assert.Equal("payments-build", data["profile"]);
        Assert.True(Encoding.UTF8.GetByteCount(line) < 8 * 1024, $"record is {line.Length} chars");
    }

    internal static SyslogSink Sink(RsyslogServer rsyslog, SyslogTransport transport, IAlertFormatter formatter, int capacity = 10_000) =>
        new(new SyslogTarget(transport, "127.0.0.1", transport switch
            {
                SyslogTransport.Tcp => rsyslog.TcpPort,
                SyslogTransport.Relp => rsyslog.RelpPort,
                _ => rsyslog.UdpPort,
            }) { QueueCapacity = capacity },
            formatter, NullLogger<SyslogSink>.Instance, TimeProvider.System);
}
