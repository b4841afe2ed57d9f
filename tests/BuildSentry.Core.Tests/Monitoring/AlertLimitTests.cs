using System.Net;
using BuildSentry.Core.Alerts;
using BuildSentry.Core.Monitoring;

namespace BuildSentry.Core.Tests.Monitoring;

public sealed class AlertLimitTests
{
    private static readonly IPAddress Evil = IPAddress.Parse("198.18.0.66");
    private static readonly IPAddress Other = IPAddress.Parse("198.18.0.67");

    private static MonitorOptions Limits(int perMinute = 20, int perDestination = 3, int summaryNames = 20) => new()
    {
        HostName = "agent-1", AlertsPerJobPerMinute = perMinute, AlertsPerDestinationPerMinute = perDestination, SummaryNames = summaryNames,
    };

    private static IEnumerable<Alert> Violations(HostileJob job) =>
        job.Alerts.Alerts.Where(a => a.Kind is not (AlertKinds.AlertsAggregated or AlertKinds.JobLimitsReached));

    [Fact]
    public void The_alert_after_the_jobs_limit_in_a_minute_is_aggregated_not_alerted()
    {
        var job = new HostileJob(Limits(perMinute: 5));
        for (var i = 1; i <= 6; i++)
        {
            job.Query($"host.domain{i}.test");
        }

        Assert.Equal(5, Violations(job).Count());
        var state = job.State();
        Assert.Equal((6, 5, 1), (state.ViolationCount, state.ViolationsAlerted, state.ViolationsAggregated));
        Assert.Equal(("aggregated", "github-4711-1-build-summary-1"), (state.Violations[^1].Action, state.Violations[^1].AlertId));
        Assert.Empty(job.Of(AlertKinds.AlertsAggregated));
    }

    [Fact]
    public void Random_names_under_one_domain_alert_as_one_destination_and_the_rest_are_summarised_at_the_jobs_end()
    {
        var job = new HostileJob(Limits(summaryNames: 20));
        for (var i = 0; i < 1_000; i++)
        {
            job.Query($"x{i}.exfil.test");
        }

        job.Query("registry.test");
        var state = job.End();

        Assert.Equal(["x0.exfil.test", "x1.exfil.test", "x2.exfil.test"], Violations(job).Select(a => a.Destination!.Names[0]));
        var summary = Assert.Single(job.Of(AlertKinds.AlertsAggregated));
        var aggregate = summary.Aggregate!;
        Assert.Equal(997, aggregate.Violations);
        Assert.Equal([new AlertKindCount(AlertKinds.EgressDns, 997)], aggregate.ByKind);
        Assert.Equal(Enumerable.Range(3, 20).Select(i => $"x{i}.exfil.test"), aggregate.Names);
        Assert.Equal(977, aggregate.NamesNotListed);
        Assert.Contains("997 violation(s)", summary.Reason);
        Assert.Contains("egress.dns 997", summary.Reason);
        Assert.EndsWith("x22.exfil.test and 977 more", summary.Reason);
        Assert.Equal((AlertSeverity.High, "github-4711-1-build-summary-1"), (summary.Severity, summary.Id));
        Assert.Equal((1_000, 3, 0, 997, 1), (state.ViolationCount, state.ViolationsAlerted, state.ViolationRepeats, state.ViolationsAggregated, state.SummaryAlerts));
    }

    [Fact]
    public void A_new_minute_alerts_again_after_the_summary_of_the_last()
    {
        var job = new HostileJob(Limits());
        for (var i = 0; i < 10; i++)
        {
            job.Query($"x{i}.exfil.test");
        }

        job.Wait(TimeSpan.FromMinutes(1)).Query("y.exfil.test");

        Assert.Equal([AlertKinds.EgressDns, AlertKinds.EgressDns, AlertKinds.EgressDns, AlertKinds.AlertsAggregated, AlertKinds.EgressDns],
            job.Alerts.Alerts.Select(a => a.Kind));
        Assert.Equal(7, job.Alerts.Alerts[3].Aggregate!.Violations);
        Assert.Equal("y.exfil.test", job.Alerts.Alerts[4].Destination!.Names[0]);
    }

    [Fact]
    public void A_flood_that_stops_is_summarised_when_its_minute_is_over_without_another_event()
    {
        var job = new HostileJob(Limits());
        for (var i = 0; i < 10; i++)
        {
            job.Query($"x{i}.exfil.test");
        }

        job.Monitor.SendDueSummaries(job.Now.AddSeconds(30));
        Assert.Empty(job.Of(AlertKinds.AlertsAggregated));

        job.Monitor.SendDueSummaries(job.Now.AddSeconds(61));
        Assert.Equal(7, Assert.Single(job.Of(AlertKinds.AlertsAggregated)).Aggregate!.Violations);
        Assert.Equal(1, job.Monitor.Counters.SummaryAlerts);
    }

    [Fact]
    public void The_first_violation_of_another_kind_or_rule_alerts_even_when_the_job_is_at_its_limit()
    {
        var job = new HostileJob(Limits(perMinute: 2, perDestination: 100));
        for (var i = 0; i < 5; i++)
        {
            job.Query($"host.domain{i}.test");
        }

        job.Run(20, "/usr/bin/nc").Run(21, "/usr/bin/ncat").Run(22, "/usr/bin/nc", parentPid: 12)
            .Connect(Evil, 80).Connect(Other, 80);

        Assert.Equal(
            [(AlertKinds.EgressDns, 12), (AlertKinds.EgressDns, 12), (AlertKinds.ProcessDenied, 20), (AlertKinds.ProcessDenied, 21), (AlertKinds.EgressConnection, 12)],
            Violations(job).Select(a => (a.Kind, a.Process!.Pid)));
        Assert.Equal(5, job.State().ViolationsAggregated);
    }

    [Fact]
    public void In_kill_mode_the_first_violation_kills_at_once_and_the_flood_after_it_is_aggregated()
    {
        var job = new HostileJob(Limits(perMinute: 1, perDestination: 1), mode: "kill");
        for (var i = 0; i < 100; i++)
        {
            job.Query($"x{i}.exfil.test");
        }

        var kill = Assert.Single(job.Enforcer.Kills);
        Assert.Equal("github-4711-1-build", kill.JobId);
        var first = Assert.Single(Violations(job));
        Assert.Equal((AlertAction.Killed, "x0.exfil.test"), (first.Action, first.Destination!.Names[0]));
        Assert.Equal(99, job.State().ViolationsAggregated);
    }

    [Fact]
    public void A_second_job_is_alerted_and_killed_whatever_the_first_jobs_flood()
    {
        var job = new HostileJob(Limits(perMinute: 1, perDestination: 1), mode: "kill");
        job.Start(30, "4712");
        for (var i = 0; i < 1_000; i++)
        {
            job.Query($"x{i}.exfil.test");
        }

        job.Query("exfil.test", clientPid: 32);

        Assert.Equal(["github-4711-1-build", "github-4712-1-build"], job.Enforcer.Kills.Select(k => k.JobId));
        var second = Assert.Single(Violations(job), a => a.Job!.JobId == "github-4712-1-build");
        Assert.Equal((AlertAction.Killed, "exfil.test"), (second.Action, second.Destination!.Names[0]));
        Assert.Equal((0, 999), (job.State("4712").ViolationsAggregated, job.State("4711").ViolationsAggregated));
    }

    [Fact]
    public void A_repeated_finding_is_counted_as_a_repeat_neither_alerted_nor_aggregated()
    {
        var job = new HostileJob(Limits());
        for (var i = 0; i < 50; i++)
        {
            job.Query("exfil.test");
        }

        var state = job.End();

        Assert.Single(job.Alerts.Alerts);
        Assert.Equal((50, 1, 49, 0), (state.ViolationCount, state.ViolationsAlerted, state.ViolationRepeats, state.ViolationsAggregated));
        Assert.Equal((50, 1, 49, 0), (job.Monitor.Counters.Violations, job.Monitor.Counters.ViolationsAlerted,
            job.Monitor.Counters.ViolationRepeats, job.Monitor.Counters.ViolationsAggregated));
    }
}
